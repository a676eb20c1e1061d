import QRCode from 'qrcode';
import type { Queryable } from '../../db/schema.js';
import {
  ATTESTATION_KIND_LABELS,
  ATTESTATION_KIND_PLURALS,
  ATTESTATION_TITLE,
  presentedBy,
  printedName,
  qrPayload,
  qrText,
  verificationUrl,
  type AttestationFields,
} from '../../domain/attestation.js';
import { formatFullDate, formatShortDate } from '../../domain/paris-time.js';
import { PROFILE_DOMAINS, PROFILE_LABELS, PROFILES } from '../../domain/profiles.js';
import { centrePdfOwner, type BrowserPool } from '../pdf/browser-pool.js';
import { renderDocument } from '../pdf/documents.js';
import { findStamp } from './queries.js';
import type { AttestationSigner } from './signing.js';

export interface DocumentContext {
  db: Queryable;
  signer: AttestationSigner;
  publicUrl: string;
}

/** What one printed page shows, every text already written: the template only lays it out. */
async function pageView(fields: AttestationFields, context: DocumentContext, stamps: Map<number, string | null>, preview: boolean) {
  // A preview carries no signed code: printed from the browser, it must not pass for an attestation.
  const payloadJson = JSON.stringify(qrPayload(fields, context.signer.keyId));
  const qr = preview ? null : qrText(context.publicUrl, fields.number, payloadJson, context.signer.sign(payloadJson));
  const stampId = fields.centre.stampId;
  if (stampId !== null && !stamps.has(stampId)) {
    const stamp = await findStamp(context.db, stampId);
    stamps.set(stampId, stamp ? `data:${stamp.mime};base64,${stamp.data.toString('base64')}` : null);
  }
  return {
    fields,
    // The model the attestation was first printed with: a reprint keeps its wording.
    template: `attestation/model-${fields.model}/${fields.kind}`,
    title: ATTESTATION_TITLE,
    kindLabel: ATTESTATION_KIND_LABELS[fields.kind],
    profiles: PROFILES.map((p) => ({ id: p, label: PROFILE_LABELS[p], domain: PROFILE_DOMAINS[p], ticked: p === fields.profile })),
    candidateName: printedName(fields.candidate),
    presentedBy: presentedBy(fields.candidate),
    birthDateText: formatShortDate(fields.candidate.birthDate),
    examDateText: formatFullDate(fields.examDate),
    validUntilText: fields.validUntil ? formatFullDate(fields.validUntil) : null,
    issuedOnText: formatFullDate(fields.issuedOn),
    correctedOnText: fields.correctedOn ? formatFullDate(fields.correctedOn) : null,
    stampDataUri: stampId !== null ? (stamps.get(stampId) ?? null) : null,
    verifyUrl: verificationUrl(context.publicUrl, fields.number),
    preview,
    qrSvg: qr ? await QRCode.toString(qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : null,
  };
}

/**
 * One HTML document of one or more attestations, a page each: what the PDF is made from, or, with
 * `preview`, the manager's check before printing (marked as such, without its signed code).
 */
export async function attestationsHtml(list: readonly AttestationFields[], context: DocumentContext, options: { preview?: boolean } = {}): Promise<string> {
  const stamps = new Map<number, string | null>();
  const pages = [];
  for (const fields of list) pages.push(await pageView(fields, context, stamps, options.preview ?? false));
  const first = list[0];
  return renderDocument('attestation/document', {
    title: list.length === 1 && first ? `${ATTESTATION_KIND_LABELS[first.kind]} n° ${first.number}` : `Attestations (${list.length})`,
    pages,
  });
}

export function attestationPdfMetadata(list: readonly AttestationFields[]): { title: string; author: string; subject: string } {
  const first = list[0]!;
  return {
    title:
      list.length === 1 ? `${ATTESTATION_KIND_LABELS[first.kind]} n° ${first.number}` : `${ATTESTATION_KIND_PLURALS[first.kind]} — ${list.length} candidats`,
    author: `${first.centre.name} (${first.centre.code})`,
    subject: ATTESTATION_TITLE,
  };
}

/** The PDF of one attestation, from the platform's one browser. */
export async function attestationPdf(pool: BrowserPool, fields: AttestationFields, context: DocumentContext): Promise<Buffer> {
  return pool.htmlToPdf(await attestationsHtml([fields], context), attestationPdfMetadata([fields]), centrePdfOwner(fields.centre.code));
}
