import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeAttestationNumber } from '../../../domain/attestation-number.js';
import type { IdentityInput } from '../../../domain/candidate-identity.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import { formatFullDate, parisDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { HttpError, notFound } from '../../../plugins/errors.js';
import { bodyField } from '../../../plugins/params.js';
import { requestActor } from '../../../services/audit.js';
import { attestationsHtml } from '../../../services/attestations/document.js';
import { cancelAttestation, correctIdentity, fieldsOf, printRefusal } from '../../../services/attestations/lifecycle.js';
import { identityFormValues, presentAttestation } from '../../../services/attestations/present.js';
import { printAttestationPdf } from '../../../services/attestations/printing.js';
import { findAttestationByNumber } from '../../../services/attestations/queries.js';

type Params = { Params: { numero: string } };

/**
 * The administrator finds any attestation by its number (a question from an employer, an inquiry),
 * and may print, correct or cancel it as the centre would. The area's guard checks the role.
 */
export default async function adminAttestationRoutes(app: FastifyInstance) {
  const context = () => ({ db: app.db, signer: app.attestationSigner, publicUrl: app.config.publicUrl });

  async function attestationOf(request: FastifyRequest<Params>) {
    const number = normalizeAttestationNumber(request.params.numero);
    const row = number ? await findAttestationByNumber(app.db, number) : undefined;
    if (!row) throw notFound();
    return row;
  }

  const base = (number: string) => `/admin/attestations/${number}`;

  app.get('/admin/attestations', async (request: FastifyRequest<{ Querystring: { numero?: unknown } }>, reply) => {
    const typed = typeof request.query.numero === 'string' ? request.query.numero.slice(0, 100) : '';
    if (!typed) return reply.render('admin/attestations/search', { value: '', error: null }, { title: 'Attestations' });
    const number = normalizeAttestationNumber(typed);
    const row = number ? await findAttestationByNumber(app.db, number) : undefined;
    if (!row) {
      const error = number ? `Aucune attestation ne porte le numéro ${number}.` : 'Ce numéro n’est pas un numéro d’attestation : vérifiez chaque caractère.';
      return reply.render('admin/attestations/search', { value: typed, error }, { title: 'Attestations', status: 404 });
    }
    return reply.redirect(base(row.number), 303);
  });

  app.get('/admin/attestations/:numero', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    return reply.render(
      'admin/attestations/show',
      {
        a: presentAttestation(row),
        exam: {
          centre: `${row.centre_name} (${formatCentreId(row.centre_id)})`,
          centreId: row.centre_id,
          profile: PROFILE_LABELS[row.profile],
          examDate: formatFullDate(row.exam_date),
          supervisor: row.supervisor,
        },
        urls: {
          print: `${base(row.number)}/pdf`,
          preview: `${base(row.number)}/apercu`,
          identity: `${base(row.number)}/identite`,
          cancel: `${base(row.number)}/annulation`,
          settings: `/admin/centres/${row.centre_id}#signataire`,
        },
      },
      { title: `Attestation n° ${row.number}` },
    );
  });

  app.get('/admin/attestations/:numero/apercu', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    const refusal = printRefusal(row);
    if (refusal) throw new HttpError(409, refusal.message);
    return reply.sendDocument(await attestationsHtml([fieldsOf(row, parisDate(app.clock.now()))], context(), { preview: true }));
  });

  app.post('/admin/attestations/:numero/pdf', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    const printed = await printAttestationPdf(app.db, app.clock, app.browserPool, context(), row, { actor: requestActor(request) });
    if (!printed.ok) {
      reply.flash('error', printed.message);
      return reply.navigate(base(row.number));
    }
    return reply.sendPdf(printed.pdf, `attestation-${printed.fields.number}.pdf`);
  });

  function renderIdentityForm(reply: FastifyReply, number: string, values: Record<string, string>, errors: Record<string, string>, status = 200) {
    return reply.render('admin/attestations/identity', { number, values, errors }, { title: 'Corriger l’identité du candidat', status });
  }

  app.get('/admin/attestations/:numero/identite', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    return renderIdentityForm(reply, row.number, identityFormValues(row), {});
  });

  app.post('/admin/attestations/:numero/identite', async (request: FastifyRequest<Params & { Body: IdentityInput & { motif?: unknown } }>, reply) => {
    const row = await attestationOf(request);
    const outcome = await correctIdentity(
      app.db,
      app.clock,
      { centreId: null, examId: row.exam_id, form: request.body ?? {} },
      { actor: requestActor(request) },
    );
    if (!outcome) throw notFound();
    if (!outcome.ok && 'refused' in outcome) {
      reply.flash('error', outcome.refused);
      return reply.navigate(base(row.number));
    }
    if (!outcome.ok) return renderIdentityForm(reply, row.number, outcome.values, outcome.errors, 400);
    reply.flash(outcome.changed ? 'success' : 'info', outcome.changed ? 'L’identité est corrigée.' : 'Aucune modification : l’identité est inchangée.');
    return reply.navigate(base(row.number));
  });

  app.get('/admin/attestations/:numero/annulation', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    return reply.render('admin/attestations/cancel', { attestation: presentAttestation(row), value: '', error: null }, { title: 'Annuler une attestation' });
  });

  app.post('/admin/attestations/:numero/annulation', async (request: FastifyRequest<Params>, reply) => {
    const row = await attestationOf(request);
    const outcome = await cancelAttestation(
      app.db,
      app.clock,
      { centreId: null, examId: row.exam_id, reason: bodyField(request, 'motif') },
      { actor: requestActor(request) },
    );
    if (!outcome) throw notFound();
    if (!outcome.ok) {
      return reply.render(
        'admin/attestations/cancel',
        { attestation: presentAttestation(row), value: outcome.value, error: outcome.error },
        { title: 'Annuler une attestation', status: 400 },
      );
    }
    reply.flash('success', `L’attestation n° ${row.number} est annulée.`);
    return reply.navigate(base(row.number));
  });
}
