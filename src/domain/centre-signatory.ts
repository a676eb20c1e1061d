/**
 * Who signs a centre's attestations and where they are made: « Je, soussigné(e) <nom>, <qualité> »
 * and « Fait à <ville> ». Set by the centre's manager (or the administrator); the header's telephone
 * is optional.
 */
export interface SignatoryFields {
  representative_name: string;
  representative_title: string;
  town: string;
  phone: string | null;
}

export interface SignatoryForm {
  representant?: unknown;
  qualite?: unknown;
  ville?: unknown;
  telephone?: unknown;
}

export type SignatoryValues = Record<keyof SignatoryForm, string>;

const TEXT_MAX = 120;
const PERSON = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
const TITLE = /^[\p{L}\p{M}\p{N} '’.,&()/°–-]+$/u;
const TOWN = /^\p{L}[\p{L}\p{M}\p{N} '’.()-]*$/u;
// French numbers as people write them (01 23 45 67 89, 01.23.45.67.89, +33 1 23 45 67 89).
const PHONE = /^\+?[0-9][0-9 .()-]{7,22}$/;

function text(value: unknown): string {
  return (typeof value === 'string' ? value : '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** The typed values (kept for the form), the errors by field, and the fields to store when all is well. */
export function readSignatoryForm(body: SignatoryForm | undefined): {
  values: SignatoryValues;
  errors: Partial<Record<keyof SignatoryForm, string>>;
  fields: SignatoryFields | null;
} {
  const values = {
    representant: text(body?.representant),
    qualite: text(body?.qualite),
    ville: text(body?.ville),
    telephone: text(body?.telephone),
  };
  const errors: Partial<Record<keyof SignatoryForm, string>> = {};
  if (!values.representant) errors.representant = 'Saisissez le prénom et le nom de la personne qui signe les attestations.';
  else if ([...values.representant].length > TEXT_MAX) errors.representant = `Le nom ne doit pas dépasser ${TEXT_MAX} caractères.`;
  else if (!PERSON.test(values.representant))
    errors.representant = 'Le nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.';
  if (!values.qualite) errors.qualite = 'Saisissez la qualité du signataire, par exemple « Directeur du centre de formation ».';
  else if ([...values.qualite].length > TEXT_MAX) errors.qualite = `La qualité ne doit pas dépasser ${TEXT_MAX} caractères.`;
  else if (!TITLE.test(values.qualite)) errors.qualite = 'La qualité contient des caractères non autorisés.';
  if (!values.ville) errors.ville = 'Saisissez la ville où les attestations sont faites (« Fait à … »).';
  else if ([...values.ville].length > TEXT_MAX) errors.ville = `La ville ne doit pas dépasser ${TEXT_MAX} caractères.`;
  else if (!TOWN.test(values.ville)) errors.ville = 'Saisissez un nom de ville, par exemple « Lyon » ou « Saint-Étienne ».';
  if (values.telephone && (!PHONE.test(values.telephone) || values.telephone.replace(/\D/g, '').length < 9)) {
    errors.telephone = 'Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89, ou laissez le champ vide.';
  }
  const fields =
    Object.keys(errors).length === 0
      ? { representative_name: values.representant, representative_title: values.qualite, town: values.ville, phone: values.telephone || null }
      : null;
  return { values, errors, fields };
}

/** The form's values from what is stored (for the settings page and the administrator's form). */
export function signatoryValues(centre: {
  representative_name: string | null;
  representative_title: string | null;
  town: string | null;
  phone: string | null;
}): SignatoryValues {
  return {
    representant: centre.representative_name ?? '',
    qualite: centre.representative_title ?? '',
    ville: centre.town ?? '',
    telephone: centre.phone ?? '',
  };
}
