import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { todaySessions } from '../sessions/queries.js';
import { finishExpiredExams } from '../../../services/exam/lifecycle.js';
import { presentSession } from '../sessions/routes.js';
import { tokenStockByQuestionnaire } from '../tokens/queries.js';
import { formatTokenCode } from '../../../domain/token-code.js';
import { notFound } from '../../../plugins/errors.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { EXTRA_MINUTES_MAX } from '../../../domain/exam-clock.js';
import { requestActor } from '../../../services/audit.js';
import { grantExtraTime } from './lifecycle.js';
import { centreOf } from '../current-centre.js';
import { examsInProgress, getCentreExam, latestResults } from './queries.js';

/** The manager's home and the switch between their centres (manager area, guarded in app.ts). */
export default async function centreRoutes(app: FastifyInstance) {
  app.get('/centre', async (request, reply) => {
    const centre = request.centre;
    if (!centre) return reply.render('centre/dashboard/dashboard', { stock: [], sessions: [], results: [], inProgress: 0 }, { title: 'Tableau de bord du centre' });
    const now = app.clock.now();
    // Exams whose time is over are finished before they are counted: shown as finished everywhere.
    await finishExpiredExams(app.db, app.clock);
    const [stock, sessions, results, inProgress] = await Promise.all([
      tokenStockByQuestionnaire(app.db, centre.id),
      todaySessions(app.db, centre.id, now),
      latestResults(app.db, centre.id),
      examsInProgress(app.db, centre.id),
    ]);
    return reply.render(
      'centre/dashboard/dashboard',
      {
        stock: stock.map((s) => ({ ...s, low: s.available < centre.lowStockThreshold })),
        sessions: sessions.map((s) => presentSession(s, now)),
        results: results.map((r) => ({
          ...r,
          profileLabel: PROFILE_LABELS[r.profile],
          finishedAtText: r.finished_at ? formatParisDateTime(r.finished_at) : '',
        })),
        inProgress,
      },
      { title: 'Tableau de bord du centre' },
    );
  });

  async function renderExam(reply: FastifyReply, centreId: number, examId: number, extraTime: { value: string; error: string | null }, status = 200) {
    await finishExpiredExams(app.db, app.clock);
    const exam = await getCentreExam(app.db, centreId, examId);
    if (!exam) throw notFound();
    return reply.render(
      'centre/exams/exam',
      {
        exam: {
          ...exam,
          profileLabel: PROFILE_LABELS[exam.profile],
          token: formatTokenCode(exam.code),
          startedAtText: formatParisDateTime(exam.started_at),
          deadlineText: formatParisDateTime(exam.deadline_at),
          finishedAtText: exam.finished_at ? formatParisDateTime(exam.finished_at) : null,
        },
        extraTime: { ...extraTime, max: EXTRA_MINUTES_MAX - exam.extra_minutes },
      },
      { title: `Examen de ${exam.first_name} ${exam.last_name}`, status },
    );
  }

  app.get('/centre/examens/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) =>
    renderExam(reply, centreOf(request).id, idParam(request.params.id), { value: '', error: null }),
  );

  app.post('/centre/examens/:id/temps-supplementaire', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const raw = bodyField(request, 'minutes');
    const outcome = await grantExtraTime(app.db, app.clock, { centreId, examId, raw, actor: requestActor(request), ip: request.ip });
    if (!outcome) throw notFound();
    if (!outcome.ok && outcome.field) return renderExam(reply, centreId, examId, { value: raw, error: outcome.message }, 400);
    if (!outcome.ok) reply.flash('error', outcome.message);
    else {
      reply.flash(
        'success',
        `${outcome.minutes} minute${outcome.minutes > 1 ? 's' : ''} ajoutée${outcome.minutes > 1 ? 's' : ''} : l’examen se termine désormais le ${formatParisDateTime(outcome.deadline)}. Le candidat voit le nouveau temps restant à sa prochaine page.`,
      );
    }
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });

  app.post('/centre/changer', async (request: FastifyRequest<{ Body: { centre?: string } }>, reply) => {
    const wanted = Number(request.body?.centre);
    const own = request.managerCentres.find((c) => c.id === wanted);
    if (own) {
      request.session.currentCentreId = own.id;
      reply.flash('info', `Vous travaillez maintenant pour le centre ${own.code} — ${own.name}.`);
    }
    return reply.redirect('/centre', 303);
  });
}
