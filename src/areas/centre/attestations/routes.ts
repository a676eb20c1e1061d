import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityInput } from '../../../domain/candidate-identity.js';
import { parisDate } from '../../../domain/paris-time.js';
import { HttpError, notFound } from '../../../plugins/errors.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { requestActor } from '../../../services/audit.js';
import { attestationsHtml } from '../../../services/attestations/document.js';
import { cancelAttestation, correctIdentity, fieldsOf, printRefusal } from '../../../services/attestations/lifecycle.js';
import { identityFormValues, presentAttestation } from '../../../services/attestations/present.js';
import { JOB_KEEP_MINUTES, jobState, printAttestationPdf, startSessionPrint } from '../../../services/attestations/printing.js';
import { findAttestationOfExam, findJob, findJobPdf } from '../../../services/attestations/queries.js';
import { centreOf } from '../current-centre/scope.js';
import { getSession } from '../sessions/queries.js';

const JOB_REFRESH_SECONDS = 2;

type ExamParams = { Params: { id: string } };
type JobParams = { Params: { id: string; job: string } };

/**
 * A candidate's attestation (preview, PDF, identity correction, cancellation) and a whole session's
 * attestations as one PDF. The area's guard checks the manager; every read is scoped to the current
 * centre, so another centre's exam answers 404.
 */
export default async function attestationRoutes(app: FastifyInstance) {
  const context = () => ({ db: app.db, signer: app.attestationSigner, publicUrl: app.config.publicUrl });

  async function attestationOf(request: FastifyRequest<ExamParams>) {
    const centre = centreOf(request);
    const row = await findAttestationOfExam(app.db, centre.id, idParam(request.params.id));
    if (!row) throw notFound();
    return { centre, row };
  }

  app.get('/centre/examens/:id/attestation', async (request: FastifyRequest<ExamParams>, reply) => {
    const { row } = await attestationOf(request);
    const refusal = printRefusal(row);
    if (refusal) throw new HttpError(409, refusal.message);
    return reply.sendDocument(await attestationsHtml([fieldsOf(row, parisDate(app.clock.now()))], context(), { preview: true }));
  });

  app.post('/centre/examens/:id/attestation', async (request: FastifyRequest<ExamParams>, reply) => {
    const { row } = await attestationOf(request);
    const printed = await printAttestationPdf(app.db, app.clock, app.browserPool, context(), row, { actor: requestActor(request) });
    if (!printed.ok) {
      reply.flash('error', printed.message);
      return reply.navigate(`/centre/examens/${row.exam_id}`);
    }
    return reply.sendPdf(printed.pdf, `attestation-${printed.fields.number}.pdf`);
  });

  function renderIdentityForm(reply: FastifyReply, examId: number, values: Record<string, string>, errors: Record<string, string>, status = 200) {
    return reply.render('centre/attestations/identity', { examId, values, errors }, { title: 'Corriger l’identité du candidat', status });
  }

  app.get('/centre/examens/:id/identite', async (request: FastifyRequest<ExamParams>, reply) => {
    const { row } = await attestationOf(request);
    return renderIdentityForm(reply, row.exam_id, identityFormValues(row), {});
  });

  app.post('/centre/examens/:id/identite', async (request: FastifyRequest<ExamParams & { Body: IdentityInput & { motif?: unknown } }>, reply) => {
    const centre = centreOf(request);
    const examId = idParam(request.params.id);
    const outcome = await correctIdentity(app.db, app.clock, { centreId: centre.id, examId, form: request.body ?? {} }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok && 'refused' in outcome) {
      reply.flash('error', outcome.refused);
      return reply.navigate(`/centre/examens/${examId}`);
    }
    if (!outcome.ok) return renderIdentityForm(reply, examId, outcome.values, outcome.errors, 400);
    reply.flash(
      outcome.changed ? 'success' : 'info',
      outcome.changed
        ? 'L’identité est corrigée. L’attestation garde son numéro ; imprimée, elle porte la mention « rectifiée ».'
        : 'Aucune modification : l’identité est inchangée.',
    );
    return reply.navigate(`/centre/examens/${examId}`);
  });

  app.get('/centre/examens/:id/attestation/annulation', async (request: FastifyRequest<ExamParams>, reply) => {
    const { row } = await attestationOf(request);
    return reply.render('centre/attestations/cancel', { attestation: presentAttestation(row), value: '', error: null }, { title: 'Annuler une attestation' });
  });

  app.post('/centre/examens/:id/attestation/annulation', async (request: FastifyRequest<ExamParams>, reply) => {
    const { centre, row } = await attestationOf(request);
    const outcome = await cancelAttestation(
      app.db,
      app.clock,
      { centreId: centre.id, examId: row.exam_id, reason: bodyField(request, 'motif') },
      { actor: requestActor(request) },
    );
    if (!outcome) throw notFound();
    if (!outcome.ok) {
      return reply.render(
        'centre/attestations/cancel',
        { attestation: presentAttestation(row), value: outcome.value, error: outcome.error },
        { title: 'Annuler une attestation', status: 400 },
      );
    }
    reply.flash('success', `L’attestation n° ${row.number} est annulée : la page de vérification le dit désormais.`);
    return reply.navigate(`/centre/examens/${row.exam_id}`);
  });

  app.post('/centre/sessions/:id/attestations', async (request: FastifyRequest<ExamParams>, reply) => {
    const centre = centreOf(request);
    const sessionId = idParam(request.params.id);
    if (!(await getSession(app.db, centre.id, sessionId))) throw notFound();
    const kind = bodyField(request, 'type');
    if (kind !== 'admis' && kind !== 'echec') throw new HttpError(400);
    const outcome = await startSessionPrint(
      app.db,
      app.clock,
      app.browserPool,
      context(),
      { centreId: centre.id, sessionId, kind },
      { actor: requestActor(request) },
    );
    if (!outcome.ok) {
      reply.flash('error', outcome.message);
      return reply.navigate(`/centre/sessions/${sessionId}`);
    }
    return reply.navigate(`/centre/sessions/${sessionId}/attestations/${outcome.jobId}`);
  });

  app.get('/centre/sessions/:id/attestations/:job', async (request: FastifyRequest<JobParams>, reply) => {
    const centre = centreOf(request);
    const sessionId = idParam(request.params.id);
    const job = await findJob(app.db, { centreId: centre.id, sessionId }, request.params.job);
    if (!job) throw notFound();
    const state = jobState(job, app.clock.now());
    // The page reloads itself while the job runs: the browser's own Refresh, with or without JavaScript.
    if (state.status === 'running') reply.header('refresh', String(JOB_REFRESH_SECONDS));
    return reply.render(
      'centre/attestations/job',
      { sessionId, refreshSeconds: JOB_REFRESH_SECONDS, job: { ...job, ...state, kind: job.kind } },
      { title: 'Impression des attestations de la session' },
    );
  });

  app.get('/centre/sessions/:id/attestations/:job/pdf', async (request: FastifyRequest<JobParams>, reply) => {
    const centre = centreOf(request);
    const sessionId = idParam(request.params.id);
    const since = new Date(app.clock.now().getTime() - JOB_KEEP_MINUTES * 60_000).toISOString();
    const job = await findJobPdf(app.db, { centreId: centre.id, sessionId }, request.params.job, since);
    if (!job?.pdf) throw notFound();
    return reply.sendPdf(job.pdf, `session-${sessionId}-${job.kind === 'admis' ? 'attestations' : 'attestations-echec'}.pdf`);
  });
}
