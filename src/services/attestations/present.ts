import { ATTESTATION_KIND_LABELS } from '../../domain/attestation.js';
import { formatParisDateTime, formatShortDate } from '../../domain/paris-time.js';
import type { AttestationRow } from './queries.js';
import { printRefusal } from './lifecycle.js';

/** An attestation as the exam page (centre) and the administrator's lookup show it. */
export function presentAttestation(row: AttestationRow) {
  const refusal = printRefusal(row);
  return {
    examId: row.exam_id,
    number: row.number,
    kind: row.kind,
    kindLabel: ATTESTATION_KIND_LABELS[row.kind],
    candidate: `${row.first_name} ${row.last_name}`,
    printedAtText: row.printed_at ? formatParisDateTime(row.printed_at) : null,
    correctedAtText: row.corrected_at ? formatParisDateTime(row.corrected_at) : null,
    cancelledAtText: row.cancelled_at ? formatParisDateTime(row.cancelled_at) : null,
    cancelReason: row.cancel_reason,
    cancelled: row.cancelled_at !== null,
    printRefusal: refusal?.message ?? null,
    needsSettings: refusal?.reason === 'signatory',
  };
}

/** The identity correction form, filled with what is stored (the reason is always typed anew). */
export function identityFormValues(row: AttestationRow): Record<string, string> {
  return {
    nom: row.last_name,
    prenom: row.first_name,
    date_naissance: formatShortDate(row.birth_date),
    entreprise: row.company ?? '',
    adresse_entreprise: row.company_address ?? '',
    motif: '',
  };
}
