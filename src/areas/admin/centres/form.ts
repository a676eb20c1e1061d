import { normalizeSiret, siretError } from '../../../domain/siret.js';
import { isPlausibleEmail } from '../../../domain/email.js';
import type { CentreFields } from './queries.js';

export interface CentreForm {
  nom?: string;
  adresse?: string;
  siret?: string;
  email?: string;
}

/** The typed values (kept for the form) and, when valid, the fields to store. */
export function readCentreForm(body: CentreForm | undefined): {
  values: Required<CentreForm>;
  errors: Record<string, string>;
  fields: CentreFields | null;
} {
  const values = {
    nom: String(body?.nom ?? '').trim(),
    adresse: String(body?.adresse ?? '').trim(),
    siret: String(body?.siret ?? '').trim(),
    email: String(body?.email ?? '').trim(),
  };
  const errors: Record<string, string> = {};
  if (!values.nom) errors.nom = 'Saisissez le nom du centre.';
  else if (values.nom.length > 200) errors.nom = 'Le nom ne doit pas dépasser 200 caractères.';
  if (!values.adresse) errors.adresse = 'Saisissez l’adresse du centre.';
  else if (values.adresse.length > 500) errors.adresse = 'L’adresse ne doit pas dépasser 500 caractères.';
  const siretProblem = values.siret ? siretError(values.siret) : 'Saisissez le numéro SIRET du centre (14 chiffres).';
  if (siretProblem) errors.siret = siretProblem;
  if (!isPlausibleEmail(values.email)) errors.email = 'Saisissez une adresse électronique valide, par exemple contact@centre.fr.';
  const fields =
    Object.keys(errors).length === 0 ? { name: values.nom, address: values.adresse, siret: normalizeSiret(values.siret)!, contact_email: values.email } : null;
  return { values, errors, fields };
}
