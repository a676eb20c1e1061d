/** The three AIPR profiles. The identifiers are part of the import format and of the URLs. */
export const PROFILES = ['concepteur', 'encadrant', 'operateur'] as const;

export type Profile = (typeof PROFILES)[number];

export function isProfile(x: unknown): x is Profile {
  return typeof x === 'string' && (PROFILES as readonly string[]).includes(x);
}

/** Display names; identifiers stay unaccented so that they are safe in URLs and files. */
export const PROFILE_LABELS: Readonly<Record<Profile, string>> = Object.freeze({
  concepteur: 'Concepteur',
  encadrant: 'Encadrant',
  operateur: 'Opérateur',
});

/** The official attestation's caption of each profile box (arrêté du 22 décembre 2015). */
export const PROFILE_DOMAINS: Readonly<Record<Profile, string>> = Object.freeze({
  concepteur: 'Préparation et conduite de projet',
  encadrant: 'Encadrement de chantiers de travaux',
  operateur: 'Conduite d’engins ou réalisation de travaux urgents',
});
