import fp from 'fastify-plugin';
import { purgeOldJobs } from '../services/attestations/printing.js';
import { finishExpiredExams } from '../services/exam/lifecycle.js';
import { closeStaleSessions } from '../services/exam/sessions.js';
import { claimPeriod } from '../services/periodic.js';
import { purgeStaleThrottles } from '../services/throttle-store.js';

const SWEEP_EVERY_MS = 15_000;
const PURGE_COUNTERS_EVERY_MS = 60 * 60_000;

/**
 * Finishes exams whose time is over even when no terminal asks any more (a closed tablet): the
 * result then shows everywhere, with the deadline as its end time. Closes the sessions whose day is
 * over too, so that what is stored matches what the rules say, deletes the session prints'
 * PDFs once their hour is over (personal data kept no longer than needed); every hour, the
 * failure counters that no longer count. With several instances, each period's work is done by one
 * of them (services/periodic.ts).
 */
export default fp(
  async (app) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      claimPeriod(app.db, 'balayage', app.clock.now(), SWEEP_EVERY_MS)
        .then(async (mine) => {
          if (!mine) return;
          await finishExpiredExams(app.db, app.clock);
          await closeStaleSessions(app.db, app.clock.now());
          await purgeOldJobs(app.db, app.clock);
        })
        .catch((err: unknown) => app.log.error({ err }, 'finishing expired exams failed'))
        .finally(() => {
          running = false;
        });
    }, SWEEP_EVERY_MS);
    timer.unref();
    const purge = setInterval(() => {
      claimPeriod(app.db, 'purge-compteurs', app.clock.now(), PURGE_COUNTERS_EVERY_MS)
        .then((mine) => (mine ? purgeStaleThrottles(app.db, app.clock.now()) : undefined))
        .catch((err: unknown) => app.log.warn({ err }, 'purging failure counters failed'));
    }, PURGE_COUNTERS_EVERY_MS);
    purge.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      clearInterval(purge);
    });
  },
  { name: 'deadline-sweeper', dependencies: ['services'] },
);
