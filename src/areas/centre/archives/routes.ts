import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatHour, formatLongDate, parisDate } from '../../../domain/paris-time.js';
import { centreOf } from '../current-centre/scope.js';
import { archivedSessions, archiveYears } from './queries.js';

const TITLE = 'Archives des sessions';

/**
 * `/centre/archives`: the centre's past sessions, year by year, each opening its page (candidates,
 * results, attestations). Nothing in them is ever deleted by the platform: the centre must keep
 * its records at least five years.
 */
export default async function archiveRoutes(app: FastifyInstance) {
  app.get('/centre/archives', async (request: FastifyRequest<{ Querystring: { annee?: string } }>, reply) => {
    const centre = centreOf(request);
    const today = parisDate(app.clock.now());
    const years = await archiveYears(app.db, centre.id, today);
    const asked = Number(request.query?.annee);
    // An unknown or unreadable year shows the latest one that has sessions, as a first visit does.
    const year = years.includes(asked) ? asked : (years[0] ?? Number(today.slice(0, 4)));
    const sessions = await archivedSessions(app.db, centre.id, year, today);
    return reply.render(
      'centre/archives/index',
      {
        year,
        years,
        sessions: sessions.map((s) => ({ ...s, dateText: formatLongDate(s.date), startTimeText: formatHour(s.start_time) })),
        totals: { candidates: sessions.reduce((n, s) => n + s.candidates, 0), admitted: sessions.reduce((n, s) => n + s.admitted, 0) },
      },
      { title: `${TITLE} ${year}` },
    );
  });
}
