/**
 * The attestation de compétences (success) and the attestation d'échec (failure): what they say,
 * how long they are valid, what the public verification shows, and what the QR code signs.
 * The official model's wording is in views/documents/attestation/; the rules are here.
 */
import { isValidDate } from './paris-time.js';
import type { Profile } from './profiles.js';

export type AttestationKind = 'admis' | 'echec';

export const ATTESTATION_KIND_LABELS: Readonly<Record<AttestationKind, string>> = Object.freeze({
  admis: 'Attestation de compétences',
  echec: 'Attestation d’échec',
});

export const ATTESTATION_KIND_PLURALS: Readonly<Record<AttestationKind, string>> = Object.freeze({
  admis: 'Attestations de compétences',
  echec: 'Attestations d’échec',
});

/** The official title, printed at the top of both documents and given as the PDFs' subject. */
export const ATTESTATION_TITLE = 'Attestation de compétences relative à l’intervention à proximité des réseaux';

/** Article 21 of the arrêté of 15 February 2012: the attestation is valid 5 years from the exam. */
export const VALIDITY_YEARS = 5;

/**
 * The version of the printed model. A snapshot records the model it was printed with, so that a
 * reprint years later uses the same wording: a new wording is a new model, the old one stays.
 */
export const ATTESTATION_MODEL = 1;

export function kindOf(passed: boolean): AttestationKind {
  return passed ? 'admis' : 'echec';
}

/**
 * The last day of validity: the same day 5 years after the exam (a 29 February exam ends on the
 * 28th, never after the 5 years).
 */
export function validUntil(examDate: string): string {
  if (!isValidDate(examDate)) throw new RangeError(`not a date AAAA-MM-JJ: ${JSON.stringify(examDate)}`);
  const year = Number(examDate.slice(0, 4)) + VALIDITY_YEARS;
  if (year > 9999) throw new RangeError(`the validity of an exam on ${examDate} ends after the year 9999`);
  const monthDay = examDate.slice(4) === '-02-29' ? '-02-28' : examDate.slice(4);
  return `${String(year).padStart(4, '0')}${monthDay}`;
}

/** Every field of a printed attestation, as issued: the snapshot a reprint is made from. */
export interface AttestationFields {
  model: number;
  number: string;
  kind: AttestationKind;
  centre: {
    code: string;
    name: string;
    address: string;
    email: string;
    phone: string | null;
    town: string;
    representativeName: string;
    representativeTitle: string;
    /** centre_stamps.id: a later stamp does not change an attestation already printed. */
    stampId: number | null;
  };
  supervisor: string;
  profile: Profile;
  candidate: {
    lastName: string;
    firstName: string;
    birthDate: string;
    company: string | null;
    companyAddress: string | null;
  };
  examDate: string;
  /** The token's printed form, « sous le n° de ticket d'examen … ». */
  tokenCode: string;
  /** Success only. */
  validUntil: string | null;
  /** « Fait à …, le … »: the day of the first print. */
  issuedOn: string;
  /** The day of the last identity correction, printed as « rectifiée le … ». */
  correctedOn: string | null;
}

/** What the centre must have filled in before its first attestation can be printed. */
export interface CentreSignatory {
  representative_name: string | null;
  representative_title: string | null;
  town: string | null;
}

/** The missing settings, named as the settings page names them (empty: ready to print). */
export function missingSignatory(centre: CentreSignatory): string[] {
  const missing: string[] = [];
  if (!centre.representative_name?.trim()) missing.push('le nom du représentant du centre');
  if (!centre.representative_title?.trim()) missing.push('sa qualité');
  if (!centre.town?.trim()) missing.push('la ville où les attestations sont faites');
  return missing;
}

/** The candidate's name as the official sentence prints it: « NOM Prénom ». */
export function printedName(candidate: { lastName: string; firstName: string }): string {
  return `${candidate.lastName.toLocaleUpperCase('fr-FR')} ${candidate.firstName}`;
}

/** « présenté(e) par <entreprise> – <adresse> », or a candidate who came on their own. */
export function presentedBy(candidate: { company: string | null; companyAddress: string | null }): string {
  if (!candidate.company) return 'présenté(e) à titre individuel';
  return candidate.companyAddress ? `présenté(e) par ${candidate.company} – ${candidate.companyAddress}` : `présenté(e) par ${candidate.company}`;
}

export type VerificationState =
  { state: 'valid'; validUntil: string } | { state: 'expired'; expiredOn: string } | { state: 'failure' } | { state: 'cancelled'; cancelledOn: string };

/**
 * What /verifier says of a known number on `today` (`AAAA-MM-JJ`, Paris): a cancelled attestation
 * is cancelled whatever its dates; a success is valid through its last day; a failure attestation
 * is genuine but gives no right.
 */
export function verificationState(attestation: { kind: AttestationKind; examDate: string; cancelledOn: string | null }, today: string): VerificationState {
  if (attestation.cancelledOn) return { state: 'cancelled', cancelledOn: attestation.cancelledOn };
  if (attestation.kind === 'echec') return { state: 'failure' };
  const last = validUntil(attestation.examDate);
  return today <= last ? { state: 'valid', validUntil: last } : { state: 'expired', expiredOn: last };
}

/** NOM and the first name's initial: enough to match a person's papers, no more. */
export function publicName(candidate: { lastName: string; firstName: string }): string {
  // The first letter as a reader sees it: « É » even when typed as E and a combining accent.
  const first = new Intl.Segmenter('fr', { granularity: 'grapheme' }).segment(candidate.firstName.normalize('NFC').trim())[Symbol.iterator]().next();
  const initial = first.done ? '' : first.value.segment;
  return `${candidate.lastName.toLocaleUpperCase('fr-FR')} ${initial.toLocaleUpperCase('fr-FR')}.`;
}

/**
 * The signed payload of the QR code (format `v` 1, documented in the README): short keys keep the
 * code small enough to scan from a printed A4 page.
 */
export interface QrPayload {
  v: 1;
  /** Attestation number. */
  n: string;
  /** admis | echec */
  r: AttestationKind;
  /** NOM and initial, as /verifier shows them. */
  c: string;
  /** Profile identifier. */
  p: Profile;
  /** Exam date, AAAA-MM-JJ. */
  d: string;
  /** Last day of validity (success), or null. */
  u: string | null;
  /** Centre ID, centreXXXX. */
  e: string;
  /** Day of the last correction, or null. */
  x: string | null;
  /** Identifier of the signing key (see /verifier/cle). */
  k: string;
}

export function qrPayload(fields: AttestationFields, keyId: string): QrPayload {
  return {
    v: 1,
    n: fields.number,
    r: fields.kind,
    c: publicName(fields.candidate),
    p: fields.profile,
    d: fields.examDate,
    u: fields.validUntil,
    e: fields.centre.code,
    x: fields.correctedOn,
    k: keyId,
  };
}

/**
 * The QR code's text: the verification page's address, with the signed payload after `#` (a browser
 * never sends the fragment, so the server's logs keep only the number):
 * `<PUBLIC_URL>/verifier/<number>#<base64url(payload JSON)>.<base64url(Ed25519 signature of those JSON bytes)>`.
 */
export function qrText(publicUrl: string, number: string, payloadJson: string, signature: Uint8Array): string {
  return `${verificationUrl(publicUrl, number)}#${Buffer.from(payloadJson, 'utf8').toString('base64url')}.${Buffer.from(signature).toString('base64url')}`;
}

export function verificationUrl(publicUrl: string, number: string): string {
  return `${publicUrl}/verifier/${number}`;
}

/** The inverse of qrText, for offline checkers and tests: null when the text is not of this shape. */
export function parseQrText(text: string): { url: string; payloadJson: string; signature: Buffer } | null {
  const match = /^(https?:\/\/[^#\s]+\/verifier\/[A-Z0-9-]+)#([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
  if (!match) return null;
  return { url: match[1]!, payloadJson: Buffer.from(match[2]!, 'base64url').toString('utf8'), signature: Buffer.from(match[3]!, 'base64url') };
}
