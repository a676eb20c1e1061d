import { stockStanding } from '../../../domain/token-stock.js';
import type { FastifyInstance } from 'fastify';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import { settleScope } from '../../../services/exam/lifecycle.js';
import { sessionsOfDay } from '../../../services/exam/sessions.js';
import { presentSession } from '../sessions/present.js';
import { tokenStockByQuestionnaire } from '../tokens/queries.js';
import { examsInProgress, latestResults } from './queries.js';

const TITLE = 'Tableau de bord du centre';

/** The manager's home: token stock, today's sessions, exams running, latest results. */
export default async function dashboardRoutes(app: FastifyInstance) {
  app.get('/centre', async (request, reply) => {
    const centre = request.centre;
    if (!centre) return reply.render('centre/dashboard/dashboard', { stock: [], sessions: [], results: [], inProgress: 0 }, { title: TITLE });
    // Exams whose time is over are finished before they are counted: shown as finished everywhere.
    await settleScope(app.db, app.clock, { centreId: centre.id });
    const now = app.clock.now();
    const [stock, sessions, results, inProgress] = await Promise.all([
      tokenStockByQuestionnaire(app.db, centre.id),
      sessionsOfDay(app.db, centre.id, now),
      latestResults(app.db, centre.id),
      examsInProgress(app.db, centre.id),
    ]);
    return reply.render(
      'centre/dashboard/dashboard',
      {
        stock: stockStanding(stock, centre.lowStockThreshold),
        sessions: sessions.map((s) => presentSession(s, now)),
        results: results.map((r) => ({
          ...r,
          profileLabel: PROFILE_LABELS[r.profile],
          finishedAtText: r.finished_at ? formatParisDateTime(r.finished_at) : '',
          verdictLabel: VERDICT_LABELS[verdictOf({ finishedAt: r.finished_at, passed: r.passed, cancelledAt: r.cancelled_at })],
        })),
        inProgress,
      },
      { title: TITLE },
    );
  });
}
