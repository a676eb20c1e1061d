import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatParisDateTime, parisDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS, PROFILES } from '../../../domain/profiles.js';
import { describeResultsQuery, pageWithin, readResultsFilter, resultsQueryString, VERDICT_PARAMS, type ResultsQuery } from '../../../domain/results-filter.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import { requestActor } from '../../../services/audit.js';
import { settleScope } from '../../../services/exam/lifecycle.js';
import { centreOf } from '../current-centre/scope.js';
import { recordCentreResultsExport } from './lifecycle.js';
import { countResults, listResults, resultsInChunks } from './queries.js';
import { resultsCsvStream } from './results-csv.js';

type Filtered = { Querystring: ResultsQuery };

const TITLE = 'Résultats du centre';

/**
 * `/centre/resultats`: every candidate the centre has examined, across its sessions, found by
 * period, profile, result, name or company. A GET form: the filter is the URL, so a shared link
 * shows the same list, and the CSV link exports exactly what the page lists.
 */
export default async function resultsRoutes(app: FastifyInstance) {
  app.get('/centre/resultats', async (request: FastifyRequest<Filtered>, reply) => {
    const centre = centreOf(request);
    const query = request.query ?? {};
    const { filter, errors } = readResultsFilter(query);
    // Exams whose time is over are finished first: « en cours » means still running.
    await settleScope(app.db, app.clock, { centreId: centre.id });
    const total = await countResults(app.db, centre.id, filter);
    const { page, pages } = pageWithin(filter.page, total);
    const rows = await listResults(app.db, centre.id, filter, page);
    const hasErrors = Object.keys(errors).length > 0;
    return reply.render(
      'centre/results/index',
      {
        values: { du: query.du ?? '', au: query.au ?? '', profil: query.profil ?? '', resultat: query.resultat ?? '', recherche: query.recherche ?? '' },
        errors,
        profiles: PROFILES.map((p) => ({ value: p, label: PROFILE_LABELS[p] })),
        verdicts: (Object.keys(VERDICT_PARAMS) as (keyof typeof VERDICT_PARAMS)[]).map((v) => ({ value: VERDICT_PARAMS[v], label: VERDICT_LABELS[v] })),
        total,
        page,
        pages,
        filtered: resultsQueryString(query) !== '',
        pageLink: (n: number) => `/centre/resultats${resultsQueryString(query, n)}`,
        csvLink: `/centre/resultats.csv${resultsQueryString(query)}`,
        rows: rows.map((r) => ({
          ...r,
          profileLabel: PROFILE_LABELS[r.profile],
          startedAtText: formatParisDateTime(r.started_at),
          verdictLabel: VERDICT_LABELS[verdictOf({ finishedAt: r.finished_at, passed: r.passed, cancelledAt: r.cancelled_at })],
        })),
      },
      { title: TITLE, status: hasErrors ? 400 : 200 },
    );
  });

  // Compressed, but not with brotli, whose stream holds everything back until the end: a browser
  // gets the first rows of a large export at once (bench/results.ts).
  app.get('/centre/resultats.csv', { config: { compress: { encodings: ['gzip', 'deflate'] } } }, async (request: FastifyRequest<Filtered>, reply) => {
    const centre = centreOf(request);
    const query = request.query ?? {};
    const { filter } = readResultsFilter(query);
    await settleScope(app.db, app.clock, { centreId: centre.id });
    // Audited before the first byte leaves: a download cut short has still shown identities.
    const rows = await countResults(app.db, centre.id, filter);
    await recordCentreResultsExport(app.db, app.clock, centre.id, { filter: describeResultsQuery(query), rows }, { actor: requestActor(request) });
    const stream = resultsCsvStream(resultsInChunks(app.db, centre.id, filter));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="resultats-${centre.code}-${parisDate(app.clock.now())}.csv"`)
      .send(stream);
  });
}
