import fp from 'fastify-plugin';
import { purgeOldJobs } from '../services/attestations/printing.js';
import { finishExpiredExams } from '../services/exam/lifecycle.js';
import { closeStaleSessions } from '../services/exam/sessions.js';
import { refreshItemStatistics } from '../services/item-statistics.js';
import { describePurge } from '../domain/retention.js';
import { SYSTEM_ACTOR } from '../services/audit.js';
import { claimPeriod } from '../services/periodic.js';
import { purgePersonalData } from '../services/personal-data.js';
import { purgeStaleThrottles } from '../services/throttle-store.js';

const SWEEP_EVERY_MS = 15_000;
const PURGE_COUNTERS_EVERY_MS = 60 * 60_000;
const PURGE_IDENTITIES_EVERY_MS = 24 * 60 * 60_000;
// Asked every hour, done once a day: an instance restarted daily would otherwise never reach its 24 h timer.
const PURGE_IDENTITIES_ASKED_EVERY_MS = 60 * 60_000;
/** The item analysis moves little from one exam to the next: an hour's delay costs the administrator nothing. */
const ITEM_STATISTICS_EVERY_MS = 60 * 60_000;

/**
 * Finishes exams whose time is over even when no terminal asks any more (a closed tablet): the
 * result then shows everywhere, with the deadline as its end time. Closes the sessions whose day is
 * over too, so that what is stored matches what the rules say, deletes the session prints'
 * PDFs once their hour is over (personal data kept no longer than needed); every hour, the
 * failure counters that no longer count, and the item analysis of the versions whose exams
 * changed. With several instances, each period's work is done by one of them (services/periodic.ts).
 * Every day, the candidates' identities past their retention period are anonymised
 * (services/personal-data.ts).
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
    const statistics = setInterval(() => {
      claimPeriod(app.db, 'statistiques-questions', app.clock.now(), ITEM_STATISTICS_EVERY_MS)
        .then((mine) => (mine ? refreshItemStatistics(app.db, app.clock) : undefined))
        .catch((err: unknown) => app.log.error({ err }, 'computing the item statistics failed'));
    }, ITEM_STATISTICS_EVERY_MS);
    statistics.unref();
    const identities = setInterval(() => {
      claimPeriod(app.db, 'purge-identites', app.clock.now(), PURGE_IDENTITIES_EVERY_MS)
        .then(async (mine) => {
          if (!mine) return;
          const report = await purgePersonalData(app.db, app.clock, { dryRun: false, actor: SYSTEM_ACTOR });
          app.log.info({ report }, describePurge(report));
        })
        .catch((err: unknown) => app.log.error({ err }, 'purging personal data failed'));
    }, PURGE_IDENTITIES_ASKED_EVERY_MS);
    identities.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      clearInterval(purge);
      clearInterval(identities);
      clearInterval(statistics);
    });
  },
  { name: 'deadline-sweeper', dependencies: ['services'] },
);
