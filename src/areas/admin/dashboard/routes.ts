import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatCentreId } from '../../../domain/centre-id.js';
import { centreFigures, computeFigures, deviationOf, rateBands, readPeriod, type PeriodChoice } from '../../../domain/figures.js';
import { formatMonth, monthsBetween, ofMonth, parisMonth } from '../../../domain/paris-time.js';
import { HttpError, notFound } from '../../../plugins/errors.js';
import { idParam } from '../../../plugins/params.js';
import { getCentre } from '../centres/queries.js';
import { centreFiguresView, deviationText, figuresCsv, nationalFiguresView, SERIES_COLOURS } from './figures-view.js';
import { centreCounters, figuresRows, firstFiguresMonth, monthCounters, nationalCounts, versionRefs, type Period } from './queries.js';

type PeriodQuery = { Querystring: { du?: string; au?: string } };
type CentrePeriod = PeriodQuery & { Params: { id: string } };

/**
 * The national administrator's dashboard: the platform's figures over a period of months, and one
 * centre's beside the national ones (the admin area's guard is in its index.ts). Every figure is
 * read from the monthly counters (services/exam/figures.ts), never from the exams one by one.
 */
export default async function dashboardRoutes(app: FastifyInstance) {
  async function choosePeriod(request: FastifyRequest<PeriodQuery>): Promise<PeriodChoice> {
    return readPeriod(request.query, parisMonth(app.clock.now()), await firstFiguresMonth(app.db));
  }

  /** The period form's data, and the period in words when it was accepted. */
  function periodForm(choice: PeriodChoice, action: string) {
    return {
      action,
      from: choice.from,
      to: choice.to,
      errors: choice.errors,
      options: choice.months.map((m) => ({ value: m, label: formatMonth(m) })),
      text: choice.from === choice.to ? ofMonth(choice.from) : `${ofMonth(choice.from)} à ${formatMonth(choice.to)}`,
      csvQuery: `du=${choice.from}&au=${choice.to}`,
    };
  }

  const refused = (choice: PeriodChoice) => Object.keys(choice.errors).length > 0;

  app.get('/admin', async (request: FastifyRequest<PeriodQuery>, reply) => {
    const choice = await choosePeriod(request);
    const counts = await nationalCounts(app.db);
    const base = { ...counts, period: periodForm(choice, '/admin'), colours: SERIES_COLOURS };
    if (refused(choice)) return reply.render('admin/dashboard/dashboard', { ...base, figures: null }, { title: 'Administration nationale', status: 400 });
    const period: Period = { from: choice.from, to: choice.to };
    const [counters, versions, centres] = await Promise.all([monthCounters(app.db, period), versionRefs(app.db), centreCounters(app.db, period)]);
    const figures = computeFigures(monthsBetween(period.from, period.to), counters, versions);
    const perCentre = centreFigures(centres, figures.totals);
    return reply.render(
      'admin/dashboard/dashboard',
      { ...base, figures: nationalFiguresView(figures, perCentre, rateBands(perCentre)) },
      { title: 'Administration nationale' },
    );
  });

  app.get('/admin/chiffres.csv', async (request: FastifyRequest<PeriodQuery>, reply) => {
    const choice = await choosePeriod(request);
    if (refused(choice)) throw refusedPeriod(choice);
    return sendCsv(reply, `chiffres-${choice.from}-${choice.to}.csv`, figuresCsv(await figuresRows(app.db, { from: choice.from, to: choice.to })));
  });

  app.get('/admin/centres/:id/chiffres', async (request: FastifyRequest<CentrePeriod>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const choice = await choosePeriod(request);
    const code = formatCentreId(centre.id);
    const base = {
      centre: { id: centre.id, name: centre.name, code },
      period: periodForm(choice, `/admin/centres/${centre.id}/chiffres`),
      colours: SERIES_COLOURS,
    };
    const title = `Chiffres du centre ${centre.name}`;
    if (refused(choice)) return reply.render('admin/dashboard/centre', { ...base, figures: null, apart: null }, { title, status: 400 });
    const months = monthsBetween(choice.from, choice.to);
    const [own, national, versions] = await Promise.all([
      monthCounters(app.db, { from: choice.from, to: choice.to, centreId: centre.id }),
      monthCounters(app.db, { from: choice.from, to: choice.to }),
      versionRefs(app.db),
    ]);
    const figures = computeFigures(months, own, versions);
    const nationalFigures = computeFigures(months, national, versions);
    return reply.render(
      'admin/dashboard/centre',
      {
        ...base,
        figures: centreFiguresView(figures, nationalFigures),
        apart: deviationText(figures.totals, deviationOf(figures.totals, nationalFigures.totals), nationalFigures.totals),
      },
      { title },
    );
  });

  app.get('/admin/centres/:id/chiffres.csv', async (request: FastifyRequest<CentrePeriod>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const choice = await choosePeriod(request);
    if (refused(choice)) throw refusedPeriod(choice);
    const rows = await figuresRows(app.db, { from: choice.from, to: choice.to, centreId: centre.id });
    return sendCsv(reply, `chiffres-${formatCentreId(centre.id)}-${choice.from}-${choice.to}.csv`, figuresCsv(rows));
  });
}

/** A CSV has no form to show its errors at: the error page says what was wrong. */
function refusedPeriod(choice: PeriodChoice): HttpError {
  return new HttpError(400, Object.values(choice.errors).join(' '));
}

function sendCsv(reply: FastifyReply, fileName: string, body: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(body);
}
