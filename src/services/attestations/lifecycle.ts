import { readReason, reasonProblem } from '../../domain/reason.js';
import { candidateSearchKey } from '../../domain/search-key.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Queryable } from '../../db/schema.js';
import { ATTESTATION_MODEL, missingSignatory, validUntil, type AttestationFields } from '../../domain/attestation.js';
import { readIdentity, type IdentityInput } from '../../domain/candidate-identity.js';
import { formatCentreId } from '../../domain/centre-id.js';
import { listInFrench } from '../../domain/french.js';
import { formatShortDate, parisDate } from '../../domain/paris-time.js';
import { formatTokenCode } from '../../domain/token-code.js';
import { recordAudit, type Acting } from '../audit.js';
import { findAttestationOfExam, type AttestationRow } from './queries.js';
import { transaction } from '../../db/transaction.js';

/** The fields of an attestation as its data stands now, issued on `issuedOn`. */
export function liveFields(row: AttestationRow, issuedOn: string): AttestationFields {
  return {
    model: ATTESTATION_MODEL,
    number: row.number,
    kind: row.kind,
    centre: {
      code: formatCentreId(row.centre_id),
      name: row.centre_name,
      address: row.centre_address,
      email: row.centre_email,
      phone: row.centre_phone,
      town: row.centre_town ?? '',
      representativeName: row.representative_name ?? '',
      representativeTitle: row.representative_title ?? '',
      stampId: row.stamp_id,
    },
    supervisor: row.supervisor,
    profile: row.profile,
    candidate: {
      lastName: row.last_name,
      firstName: row.first_name,
      birthDate: row.birth_date,
      company: row.company,
      companyAddress: row.company_address,
    },
    examDate: row.exam_date,
    tokenCode: formatTokenCode(row.token_code),
    validUntil: row.kind === 'admis' ? validUntil(row.exam_date) : null,
    issuedOn,
    correctedOn: null,
  };
}

/** The fields to print: the snapshot once printed, otherwise what a print today would freeze. */
export function fieldsOf(row: AttestationRow, today: string): AttestationFields {
  return row.snapshot ? (JSON.parse(row.snapshot) as AttestationFields) : liveFields(row, today);
}

export type PrintRefusal = { ok: false; reason: 'cancelled' | 'anonymised' | 'signatory'; message: string };

/** Why an attestation cannot be printed now, in French, or null. */
export function printRefusal(row: AttestationRow): PrintRefusal | null {
  if (row.cancelled_at) {
    return {
      ok: false,
      reason: 'cancelled',
      message: `Cette attestation a été annulée le ${formatShortDate(parisDate(new Date(row.cancelled_at)))} : elle ne peut plus être imprimée.`,
    };
  }
  // Printed after the identity was erased, it would certify nobody: the number stays verifiable online.
  if (row.anonymised_at) {
    return { ok: false, reason: 'anonymised', message: `${erasedSentence(row.anonymised_at)} : cette attestation ne peut plus être imprimée.` };
  }
  const missing = row.snapshot
    ? []
    : missingSignatory({ representative_name: row.representative_name, representative_title: row.representative_title, town: row.centre_town });
  if (missing.length > 0) {
    return {
      ok: false,
      reason: 'signatory',
      message: `Avant d’imprimer une attestation, renseignez dans les paramètres du centre ${listInFrench(missing)}.`,
    };
  }
  return null;
}

/** Thrown inside the print transaction to undo it: an attestation changed while its PDF was made. */
class PrintRefused extends Error {
  constructor(readonly refusal: PrintRefusal) {
    super(refusal.message);
  }
}

/**
 * Records the print of attestations whose PDF was just made: the first print of each freezes its
 * fields (the snapshot, with the day of issue), a reprint reads them back. Each is read again inside
 * the transaction, so that a correction or a cancellation made while the PDF was being made is not
 * lost (the caller makes the PDF again when the fields differ from those it printed); the snapshot is
 * written only where there is none yet, so that two managers printing at once freeze the same document.
 */
export async function printAttestations(
  db: Kysely<Database>,
  clock: Clock,
  rows: readonly AttestationRow[],
  acting: Acting & { sessionId?: number },
): Promise<{ ok: true; fields: AttestationFields[] } | PrintRefusal> {
  const now = clock.now();
  const today = parisDate(now);
  try {
    return await transaction(db, async (trx) => {
      const fields: AttestationFields[] = [];
      const firstPrints: string[] = [];
      for (const { exam_id } of rows) {
        const row = await findAttestationOfExam(trx, null, exam_id);
        if (!row) throw new Error(`attestation of exam ${exam_id} vanished`);
        const refusal = printRefusal(row);
        if (refusal) throw new PrintRefused(refusal);
        if (!row.snapshot) {
          const frozen = await trx
            .updateTable('attestations')
            .set({ snapshot: JSON.stringify(liveFields(row, today)), printed_at: now.toISOString() })
            .where('exam_id', '=', exam_id)
            .where('snapshot', 'is', null)
            .executeTakeFirst();
          if (frozen.numUpdatedRows > 0n) firstPrints.push(row.number);
        }
        const stored = await trx.selectFrom('attestations').select('snapshot').where('exam_id', '=', exam_id).executeTakeFirstOrThrow();
        fields.push(JSON.parse(stored.snapshot!) as AttestationFields);
      }
      await recordAudit(trx, clock, {
        action: 'attestation.imprimee',
        actor: acting.actor,
        target: acting.sessionId ? { type: 'session', id: acting.sessionId } : { type: 'attestation', id: rows[0]?.number ?? '' },
        details: { nombre: rows.length, premieres_impressions: firstPrints.length, numeros: rows.length <= 5 ? rows.map((r) => r.number) : undefined },
      });
      return { ok: true as const, fields };
    });
  } catch (err) {
    if (err instanceof PrintRefused) return err.refusal;
    throw err;
  }
}

const CANCELLED_NO_CORRECTION = 'Cette attestation est annulée : l’identité de son titulaire ne se corrige plus.';

/** Why an anonymised exam is neither printed nor corrected: a correction would bring back an erased identity. */
function erasedSentence(anonymisedAt: string): string {
  return `L’identité du titulaire a été effacée le ${formatShortDate(parisDate(new Date(anonymisedAt)))}, sa durée de conservation écoulée`;
}

export type CorrectionOutcome =
  | { ok: true; changed: boolean }
  | { ok: false; refused: string }
  | { ok: false; errors: Partial<Record<keyof IdentityInput | 'motif', string>>; values: Record<keyof IdentityInput | 'motif', string> };

/**
 * Corrects a candidate's identity (a typo in the name, the company): the exam and, once printed, the
 * attestation's snapshot change together; the old values stay in the audit log with the reason. A
 * printed attestation keeps its number and says « rectifiée le … ».
 */
export async function correctIdentity(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number | null; examId: number; form: IdentityInput & { motif?: unknown } },
  acting: Acting,
): Promise<CorrectionOutcome | null> {
  const row = await findAttestationOfExam(db, input.centreId, input.examId);
  if (!row) return null;
  if (row.cancelled_at) return { ok: false, refused: CANCELLED_NO_CORRECTION };
  if (row.anonymised_at) return { ok: false, refused: `${erasedSentence(row.anonymised_at)} : elle ne se corrige plus.` };
  const checked = readIdentity(input.form, row.exam_date, 'manager');
  const reason = readReason(input.form.motif);
  const values = { ...checked.values, motif: reason };
  const errors: Partial<Record<keyof IdentityInput | 'motif', string>> = checked.ok ? {} : { ...checked.errors };
  const problem = reasonProblem(reason, 'de la correction');
  if (problem) errors.motif = problem;
  if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
  const identity = checked.identity;
  const after = {
    nom: identity.lastName,
    prenom: identity.firstName,
    date_naissance: identity.birthDate,
    entreprise: identity.company,
    adresse_entreprise: identity.companyAddress,
  };
  const now = clock.now();
  // The row read again inside the transaction: what the journal keeps as « avant » is what this
  // correction replaced, even when another one (or a cancellation) came in between.
  return transaction(db, async (trx): Promise<CorrectionOutcome | null> => {
    const current = await findAttestationOfExam(trx, input.centreId, input.examId);
    if (!current) return null;
    if (current.cancelled_at) return { ok: false, refused: CANCELLED_NO_CORRECTION };
    if (current.anonymised_at) return { ok: false, refused: `${erasedSentence(current.anonymised_at)} : elle ne se corrige plus.` };
    const before = {
      nom: current.last_name,
      prenom: current.first_name,
      date_naissance: current.birth_date,
      entreprise: current.company,
      adresse_entreprise: current.company_address,
    };
    if (JSON.stringify(before) === JSON.stringify(after)) return { ok: true, changed: false };
    await trx
      .updateTable('exams')
      .set({
        last_name: identity.lastName,
        first_name: identity.firstName,
        birth_date: identity.birthDate,
        company: identity.company,
        company_address: identity.companyAddress,
        search_key: candidateSearchKey(identity),
      })
      .where('id', '=', row.exam_id)
      .execute();
    await rewriteSnapshot(trx, row.exam_id, now, (fields) => ({
      ...fields,
      candidate: {
        lastName: identity.lastName,
        firstName: identity.firstName,
        birthDate: identity.birthDate,
        company: identity.company,
        companyAddress: identity.companyAddress,
      },
      correctedOn: parisDate(now),
    }));
    await recordAudit(trx, clock, {
      action: 'candidat.identite_corrigee',
      actor: acting.actor,
      target: { type: 'attestation', id: row.number },
      details: { examen: row.exam_id, avant: before, apres: after, motif: reason },
    });
    return { ok: true, changed: true };
  });
}

/** A printed attestation's snapshot, changed by `change`; nothing when it was never printed. */
async function rewriteSnapshot(trx: Queryable, examId: number, now: Date, change: (fields: AttestationFields) => AttestationFields): Promise<void> {
  const stored = await trx.selectFrom('attestations').select('snapshot').where('exam_id', '=', examId).executeTakeFirstOrThrow();
  if (!stored.snapshot) return;
  const fields = change(JSON.parse(stored.snapshot) as AttestationFields);
  await trx
    .updateTable('attestations')
    .set({ snapshot: JSON.stringify(fields), corrected_at: now.toISOString() })
    .where('exam_id', '=', examId)
    .execute();
}

export type CancelOutcome = { ok: true } | { ok: false; error: string; value: string };

/**
 * Cancels an attestation (issued by mistake, fraud found afterwards): /verifier then says
 * « annulée », the number is never given again, and it can no longer be printed. Audited with the reason.
 */
export async function cancelAttestation(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number | null; examId: number; reason: unknown },
  acting: Acting,
): Promise<CancelOutcome | null> {
  const row = await findAttestationOfExam(db, input.centreId, input.examId);
  if (!row) return null;
  const reason = readReason(input.reason);
  const alreadyCancelled = (at: string) => ({
    ok: false as const,
    error: `Cette attestation est déjà annulée depuis le ${formatShortDate(parisDate(new Date(at)))}.`,
    value: reason,
  });
  if (row.cancelled_at) return alreadyCancelled(row.cancelled_at);
  const problem = reasonProblem(reason, 'de l’annulation');
  if (problem) return { ok: false, error: problem, value: reason };
  const cancelled = await transaction(db, async (trx) => {
    const done = await trx
      .updateTable('attestations')
      .set({ cancelled_at: clock.now().toISOString(), cancel_reason: reason })
      .where('exam_id', '=', row.exam_id)
      .where('cancelled_at', 'is', null)
      .executeTakeFirst();
    // Cancelled by someone else since the page was read: theirs is the cancellation the journal keeps.
    if (done.numUpdatedRows === 0n) return false;
    await recordAudit(trx, clock, {
      action: 'attestation.annulee',
      actor: acting.actor,
      target: { type: 'attestation', id: row.number },
      details: { examen: row.exam_id, motif: reason },
    });
    return true;
  });
  if (cancelled) return { ok: true };
  const current = await findAttestationOfExam(db, input.centreId, input.examId);
  return current?.cancelled_at ? alreadyCancelled(current.cancelled_at) : null;
}
