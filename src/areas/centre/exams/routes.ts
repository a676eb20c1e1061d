import { closingSentence } from '../../../domain/french.js';
import { readStoredResult } from '../../../domain/scoring.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EXTRA_MINUTES_MAX, formatRemaining } from '../../../domain/exam-clock.js';
import { plural } from '../../../domain/french.js';
import { formatHour, formatLongDate, formatParisDateTime, formatShortDate, momentOnSessionDay } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { formatTokenCode } from '../../../domain/token-code.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import { notFound } from '../../../plugins/errors.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { requestActor } from '../../../services/audit.js';
import { presentAttestation } from '../../../services/attestations/present.js';
import { findAttestationOfExam } from '../../../services/attestations/queries.js';
import { allowResumeElsewhere } from '../../../services/exam/admission.js';
import { examPauses } from '../../../services/exam/incidents.js';
import { settleScope } from '../../../services/exam/lifecycle.js';
import { centreOf } from '../current-centre/scope.js';
import { cancelExam, grantExtraTime, pauseExams, resumeExams } from './lifecycle.js';
import { getCentreExam } from './queries.js';

type Params = { Params: { id: string } };

/** One candidate's exam in the centre, and the extra time a manager may grant while it runs. */
export default async function examRoutes(app: FastifyInstance) {
  async function renderExam(
    reply: FastifyReply,
    centreId: number,
    examId: number,
    extraTime: { value: string; error: string | null },
    status = 200,
    pauseForm: { value: string; error: string | null } = { value: '', error: null },
  ) {
    await settleScope(app.db, app.clock, { centreId, examId });
    const exam = await getCentreExam(app.db, centreId, examId);
    if (!exam) throw notFound();
    const now = app.clock.now();
    const [attestation, pauses] = await Promise.all([findAttestationOfExam(app.db, centreId, examId), examPauses(app.db, examId, now)]);
    return reply.render(
      'centre/exams/exam',
      {
        exam: {
          ...exam,
          profileLabel: PROFILE_LABELS[exam.profile],
          token: formatTokenCode(exam.code),
          birthDateText: formatShortDate(exam.birth_date),
          sessionDateText: formatLongDate(exam.session_date),
          startedAtText: formatParisDateTime(exam.started_at),
          deadlineText: formatParisDateTime(exam.deadline_at),
          finishedAtText: exam.finished_at ? formatParisDateTime(exam.finished_at) : null,
          cancelledAtText: exam.cancelled_at ? formatParisDateTime(exam.cancelled_at) : null,
          verdictLabel: VERDICT_LABELS[verdictOf({ finishedAt: exam.finished_at, passed: exam.passed, cancelledAt: exam.cancelled_at })],
          resumeAllowedUntil:
            exam.resume_allowed_until && exam.resume_allowed_until > now.toISOString() ? formatHour(new Date(exam.resume_allowed_until)) : null,
        },
        extraTime: { ...extraTime, max: EXTRA_MINUTES_MAX - exam.extra_minutes },
        extraMinutesMax: EXTRA_MINUTES_MAX,
        detail: readStoredResult(exam.result_detail),
        cancelReasonText: closingSentence(exam.cancel_reason ?? ''),
        pauseForm,
        pausedAtText: exam.paused_at ? formatHour(new Date(exam.paused_at)) : null,
        // While paused the stored deadline is stale: what is left is fixed, the end moves with the pause.
        leftAtPauseText: exam.paused_at ? formatRemaining((Date.parse(exam.deadline_at) - Date.parse(exam.paused_at)) / 1000) : null,
        pauses: pauses.map((p) => ({
          fromText: momentOnSessionDay(p.started_at, exam.session_date),
          toText: p.ended_at ? momentOnSessionDay(p.ended_at, exam.session_date) : null,
          lengthText: formatRemaining(p.seconds),
          reasonText: closingSentence(p.reason),
        })),
        pausedTotalText: formatRemaining(pauses.reduce((sum, p) => sum + p.seconds, 0)),
        attestation: attestation ? presentAttestation(attestation) : null,
      },
      { title: `Examen de ${exam.first_name} ${exam.last_name}`, status },
    );
  }

  app.get('/centre/examens/:id', async (request: FastifyRequest<Params>, reply) =>
    renderExam(reply, centreOf(request).id, idParam(request.params.id), { value: '', error: null }),
  );

  async function renderCancel(reply: FastifyReply, centreId: number, examId: number, form: { value: string; error: string | null }, status = 200) {
    const exam = await getCentreExam(app.db, centreId, examId);
    if (!exam) throw notFound();
    if (exam.cancelled_at) return reply.redirect(`/centre/examens/${examId}`, 303);
    const attestation = await findAttestationOfExam(app.db, centreId, examId);
    return reply.render(
      'centre/exams/cancel',
      { exam, attestationNumber: attestation && !attestation.cancelled_at ? attestation.number : null, ...form },
      { title: `Annuler l’examen de ${exam.first_name} ${exam.last_name}`, status },
    );
  }

  app.get('/centre/examens/:id/annulation', async (request: FastifyRequest<Params>, reply) =>
    renderCancel(reply, centreOf(request).id, idParam(request.params.id), { value: '', error: null }),
  );

  app.post('/centre/examens/:id/annulation', async (request: FastifyRequest<Params>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const outcome = await cancelExam(app.db, app.clock, { centreId, examId, reason: bodyField(request, 'motif') }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok) return renderCancel(reply, centreId, examId, { value: outcome.value, error: outcome.error }, 400);
    reply.flash('success', `L’examen est annulé${outcome.attestation ? ` ; l’attestation n° ${outcome.attestation} l’est aussi` : ''}.`);
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });

  app.post('/centre/examens/:id/pause', async (request: FastifyRequest<Params>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const reason = bodyField(request, 'motif');
    const outcome = await pauseExams(app.db, app.clock, { centreId, target: { examId }, reason }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok && outcome.field) return renderExam(reply, centreId, examId, { value: '', error: null }, 400, { value: reason, error: outcome.error });
    if (!outcome.ok) {
      reply.flash('error', outcome.error);
      return reply.redirect(`/centre/examens/${examId}`, 303);
    }
    reply.flash('success', 'L’examen est en pause : le poste du candidat l’affiche et son temps est arrêté.');
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });

  app.post('/centre/examens/:id/reprise-pause', async (request: FastifyRequest<Params>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const outcome = await resumeExams(app.db, app.clock, { centreId, target: { examId } }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok) reply.flash('error', outcome.error);
    else reply.flash('success', 'L’examen reprend : le candidat retrouve le temps qui lui restait.');
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });

  app.post('/centre/examens/:id/reprise', async (request: FastifyRequest<Params>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const until = await allowResumeElsewhere(app.db, app.clock, { centreId, examId }, { actor: requestActor(request) });
    if (until) {
      reply.flash(
        'success',
        `Reprise autorisée jusqu’à ${formatHour(until)} : le candidat saisit son jeton sur un autre poste admis à la session, puis sa date de naissance.`,
      );
    } else if (await getCentreExam(app.db, centreId, examId)) reply.flash('error', 'Cet examen est terminé : il ne peut plus être repris.');
    else throw notFound();
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });

  app.post('/centre/examens/:id/temps-supplementaire', async (request: FastifyRequest<Params>, reply) => {
    const centreId = centreOf(request).id;
    const examId = idParam(request.params.id);
    const raw = bodyField(request, 'minutes');
    const outcome = await grantExtraTime(app.db, app.clock, { centreId, examId, raw }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok && outcome.field) return renderExam(reply, centreId, examId, { value: raw, error: outcome.message }, 400);
    if (!outcome.ok) reply.flash('error', outcome.message);
    else {
      reply.flash(
        'success',
        `${plural(outcome.minutes, 'minute ajoutée', 'minutes ajoutées')} : l’examen se termine désormais le ${formatParisDateTime(outcome.deadline)}. Le candidat voit le nouveau temps restant à sa prochaine page.`,
      );
    }
    return reply.redirect(`/centre/examens/${examId}`, 303);
  });
}
