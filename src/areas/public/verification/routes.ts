import { addressPrefix } from '../../../domain/address-prefix.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ATTESTATION_KIND_LABELS, publicName, verificationState } from '../../../domain/attestation.js';
import { normalizeAttestationNumber } from '../../../domain/attestation-number.js';
import { formatFullDate, formatShortDate, parisDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { retryMessage, VERIFICATION_POLICY } from '../../../domain/throttle.js';
import { fieldsOf } from '../../../services/attestations/lifecycle.js';
import { findAttestationByNumber } from '../../../services/attestations/queries.js';
import { countFailure, latestLock } from '../../../services/throttle-store.js';

const TITLE = 'Vérifier une attestation';
const MALFORMED = 'Ce numéro n’est pas un numéro d’attestation : vérifiez chaque caractère (il a la forme AIPR-2026-XXXX-XXXX-XXXX-XXXX ; un caractère mal recopié est détecté).';

/**
 * `/verifier`: anyone checks that an attestation number is genuine, and sees only what is needed to
 * match the person (name and initial, profile, dates, centre). Throttled per address: every lookup
 * counts. The page's title and URL carry no personal data beyond the number.
 */
export default async function verificationRoutes(app: FastifyInstance) {
  function renderForm(reply: FastifyReply, value: string, error: string | null, status = 200) {
    return reply.render('public/verification/form', { value, error }, { title: TITLE, status });
  }

  /** null when the address may look up one more number now; otherwise the 429 page. */
  async function throttled(request: FastifyRequest, reply: FastifyReply, value: string) {
    const now = app.clock.now();
    const key = `verifier:${addressPrefix(request.ip)}`;
    const lock = await latestLock(app.db, [key], now);
    if (lock) return renderForm(reply, value, `Trop de vérifications depuis ce poste. ${retryMessage(lock, now)}`, 429);
    await countFailure(app.db, key, now, VERIFICATION_POLICY);
    return null;
  }

  app.get('/verifier', async (request: FastifyRequest<{ Querystring: { numero?: unknown } }>, reply) => {
    const typed = typeof request.query.numero === 'string' ? request.query.numero.slice(0, 100) : null;
    if (typed === null) return renderForm(reply, '', null);
    if (!typed.trim()) return renderForm(reply, '', 'Saisissez le numéro imprimé sur l’attestation.', 400);
    const number = normalizeAttestationNumber(typed);
    if (!number) return (await throttled(request, reply, typed)) ?? renderForm(reply, typed, MALFORMED, 400);
    return reply.redirect(`/verifier/${number}`, 303);
  });

  app.get('/verifier/cle', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-key-id', app.attestationSigner.keyId)
      .send(app.attestationSigner.publicKeyPem),
  );

  app.get('/verifier/:numero', async (request: FastifyRequest<{ Params: { numero: string } }>, reply) => {
    const raw = request.params.numero.slice(0, 100);
    const number = normalizeAttestationNumber(raw);
    if (!number) return (await throttled(request, reply, raw)) ?? renderForm(reply, raw, MALFORMED, 404);
    if (number !== raw) return reply.redirect(`/verifier/${number}`, 301);
    const refused = await throttled(request, reply, number);
    if (refused) return refused;
    const row = await findAttestationByNumber(app.db, number);
    if (!row) return reply.render('public/verification/unknown', { number }, { title: TITLE, status: 404 });
    const today = parisDate(app.clock.now());
    const fields = fieldsOf(row, today);
    const state = verificationState({ kind: row.kind, examDate: fields.examDate, cancelledOn: row.cancelled_at ? parisDate(new Date(row.cancelled_at)) : null }, today);
    return reply.render(
      'public/verification/result',
      {
        number,
        state,
        kindLabel: ATTESTATION_KIND_LABELS[row.kind],
        // Past the retention period, only the attestation's existence and validity are told.
        name: row.anonymised_at ? null : publicName(fields.candidate),
        erasedOn: row.anonymised_at ? formatShortDate(parisDate(new Date(row.anonymised_at))) : null,
        profile: PROFILE_LABELS[fields.profile],
        examDate: formatFullDate(fields.examDate),
        validUntil: fields.validUntil ? formatFullDate(fields.validUntil) : null,
        cancelledOn: state.state === 'cancelled' ? formatShortDate(state.cancelledOn) : null,
        centre: { name: fields.centre.name, code: fields.centre.code },
        correctedOn: row.corrected_at ? formatShortDate(parisDate(new Date(row.corrected_at))) : null,
      },
      { title: TITLE },
    );
  });
}
