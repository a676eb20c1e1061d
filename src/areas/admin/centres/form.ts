import { normalizeSiret, siretError } from '../../../domain/siret.js';
import { isPlausibleEmail } from '../../../domain/email.js';
import type { CentreFields } from './queries.js';

export interface CentreForm {
  nom?: string;
  adresse?: string;
  siret?: string;
  email?: string;
  /** The box « Autre site de la même entreprise », offered once the SIRET is found on another centre. */
  siret_partage?: string;
  /** Why this centre shares its SIRET: required when the box is ticked. */
  siret_motif?: string;
}

/** Like the other reasons the journal keeps (a suspension, a correction). */
export const SHARED_SIRET_REASON_MAX = 500;

/**
 * The typed values (kept for the form) and, when valid, the fields to store, with the reason given
 * for sharing the SIRET of another centre (`sharing` null: the box is not ticked).
 */
export function readCentreForm(body: CentreForm | undefined): {
  values: Required<CentreForm>;
  errors: Record<string, string>;
  fields: CentreFields | null;
  sharing: { reason: string } | null;
} {
  const values = {
    nom: String(body?.nom ?? '').trim(),
    adresse: String(body?.adresse ?? '').trim(),
    siret: String(body?.siret ?? '').trim(),
    email: String(body?.email ?? '').trim(),
    siret_partage: body?.siret_partage ? 'oui' : '',
    siret_motif: String(body?.siret_motif ?? '').trim(),
  };
  const errors: Record<string, string> = {};
  if (!values.nom) errors.nom = 'Saisissez le nom du centre.';
  else if (values.nom.length > 200) errors.nom = 'Le nom ne doit pas dépasser 200 caractères.';
  if (!values.adresse) errors.adresse = 'Saisissez l’adresse du centre.';
  else if (values.adresse.length > 500) errors.adresse = 'L’adresse ne doit pas dépasser 500 caractères.';
  const siretProblem = values.siret ? siretError(values.siret) : 'Saisissez le numéro SIRET du centre (14 chiffres).';
  if (siretProblem) errors.siret = siretProblem;
  if (!isPlausibleEmail(values.email)) errors.email = 'Saisissez une adresse électronique valide, par exemple contact@centre.fr.';
  const reason = values.siret_motif.normalize('NFC').replace(/\s+/g, ' ');
  if (values.siret_partage && !reason) errors.siret_motif = 'Indiquez pourquoi ce centre a le même SIRET qu’un centre déjà reconnu, ou décochez la case.';
  else if (values.siret_partage && reason.length > SHARED_SIRET_REASON_MAX)
    errors.siret_motif = `Le motif ne doit pas dépasser ${SHARED_SIRET_REASON_MAX} caractères.`;
  const fields =
    Object.keys(errors).length === 0 ? { name: values.nom, address: values.adresse, siret: normalizeSiret(values.siret)!, contact_email: values.email } : null;
  return { values, errors, fields, sharing: values.siret_partage ? { reason } : null };
}
