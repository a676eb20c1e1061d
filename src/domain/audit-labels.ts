import { SIGN_IN_METHOD_LABELS } from './account-state.js';
/**
 * How a person reads the audit log: a French label for every action the platform writes, for the
 * kinds of target and for the keys of the details, and the details themselves as « clé : valeur »
 * lines with instants in Paris time. The codes stay in the database (and in any export): these
 * labels are only what the page shows. An action with no label (an old row) is shown by its code.
 */
import { searchKey } from './search-key.js';
import { formatCentreId } from './centre-id.js';
import { formatParisDateTime, formatShortDate, isValidDate } from './paris-time.js';
import { PROFILE_LABELS } from './profiles.js';

/** Every action written to the log (test/domain/audit-labels.test.ts checks the source writes no other). */
export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = Object.freeze({
  'connexion.reussie': 'Connexion',
  'connexion.echouee': 'Connexion refusée',
  deconnexion: 'Déconnexion',
  'compte.cree': 'Compte créé',
  'compte.active': 'Compte activé',
  'compte.mot_de_passe_change': 'Mot de passe changé',
  'compte.mot_de_passe_reinitialise': 'Mot de passe réinitialisé',
  'compte.reinitialisation_demandee': 'Réinitialisation du mot de passe demandée',
  'compte.double_facteur_active': 'Double authentification activée',
  'compte.double_facteur_remplace': 'Double authentification remplacée',
  'compte.double_facteur_retire': 'Double authentification retirée',
  'compte.code_de_secours_utilise': 'Code de secours utilisé',
  'compte.codes_de_secours_renouveles': 'Codes de secours renouvelés',
  'compte.attaque_suspectee': 'Attaque suspectée sur le compte',
  'compte.identite_liee': 'Compte lié à son identité Cerbère',
  'compte.identite_reliee': 'Compte lié à une nouvelle identité Cerbère',
  'gestionnaire.cree': 'Gestionnaire créé',
  'gestionnaire.rattache': 'Gestionnaire rattaché à un centre',
  'gestionnaire.detache': 'Gestionnaire détaché d’un centre',
  'gestionnaire.desactive': 'Gestionnaire désactivé',
  'gestionnaire.reactive': 'Gestionnaire réactivé',
  'gestionnaire.lien_activation': 'Lien d’activation du gestionnaire créé',
  'gestionnaire.lien_reinitialisation': 'Lien de réinitialisation du gestionnaire créé',
  'centre.reconnu': 'Centre reconnu',
  'centre.modifie': 'Centre modifié',
  'centre.suspendu': 'Centre suspendu',
  'centre.reactive': 'Centre réactivé',
  'centre.quota_modifie': 'Quota quotidien de jetons du centre modifié',
  'centre.seuil_jetons_modifie': 'Seuil d’alerte des jetons modifié',
  'centre.signataire_modifie': 'Signataire des attestations modifié',
  'centre.cachet_depose': 'Cachet du centre déposé',
  'centre.cachet_retire': 'Cachet du centre retiré',
  'plateforme.quota_modifie': 'Quota national de jetons modifié',
  'questionnaire.importe': 'Questionnaire importé',
  'questionnaire.publie': 'Questionnaire publié',
  'questionnaire.retire': 'Questionnaire retiré',
  'jetons.generes': 'Jetons générés',
  'jeton.revoque': 'Jeton révoqué',
  'lot_jetons.revoque': 'Lot de jetons révoqué',
  'session.creee': 'Session créée',
  'session.ouverte': 'Session ouverte',
  'session.fermee': 'Session fermée',
  'session.fermee_automatiquement': 'Session fermée automatiquement',
  'session.code_renouvele': 'Code d’admission des postes renouvelé',
  'session.export_resultats': 'Résultats de la session exportés',
  'session.proces_verbal_imprime': 'Procès-verbal de la session imprimé',
  'centre.export_resultats': 'Résultats du centre exportés',
  'poste.admis': 'Poste admis à la session',
  'poste.retire': 'Poste retiré de la session',
  'examen.commence': 'Examen commencé',
  'examen.termine': 'Examen terminé',
  'examen.temps_supplementaire': 'Temps supplémentaire accordé',
  'examen.annule': 'Examen annulé',
  'examen.pause': 'Examen mis en pause',
  'examen.reprise': 'Examen repris après une pause',
  'session.incident_note': 'Incident noté dans la session',
  'examen.poste_detache': 'Examen détaché de son poste',
  'examen.reprise_autorisee': 'Reprise sur un autre poste autorisée',
  'examen.reprise_refusee': 'Reprise sur un autre poste refusée',
  'examen.repris': 'Examen repris sur un autre poste',
  'attestation.imprimee': 'Attestation imprimée',
  'attestation.annulee': 'Attestation annulée',
  'candidat.identite_corrigee': 'Identité du candidat corrigée',
  'demo.initialisee': 'Démonstration initialisée',
  'donnees.identites_anonymisees': 'Identités des candidats anonymisées (durée de conservation écoulée)',
  'plateforme.conservation_modifiee': 'Durée de conservation des identités modifiée',
});

/** The action's French label, or its code for an action no longer written (an old row). */
export function auditActionLabel(action: string): string {
  return Object.hasOwn(AUDIT_ACTION_LABELS, action) ? AUDIT_ACTION_LABELS[action]! : action;
}

/** The codes of the actions whose label contains `text` (case and accents ignored): « suspendu » finds `centre.suspendu`. */
export function actionsWithLabelContaining(text: string): string[] {
  const wanted = searchKey(text.trim());
  if (wanted === '') return [];
  return Object.keys(AUDIT_ACTION_LABELS).filter((code) => searchKey(AUDIT_ACTION_LABELS[code]!).includes(wanted));
}

/** What a target is, as the log's « Cible » column names it before it is resolved to a name. */
export const AUDIT_TARGET_TYPE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  centre: 'Centre',
  compte: 'Compte',
  questionnaire: 'Questionnaire',
  session: 'Session',
  examen: 'Examen',
  jeton: 'Jeton',
  lot_jetons: 'Lot de jetons',
  attestation: 'Attestation',
});

export function auditTargetTypeLabel(type: string): string {
  return Object.hasOwn(AUDIT_TARGET_TYPE_LABELS, type) ? AUDIT_TARGET_TYPE_LABELS[type]! : type;
}

/** The keys the details carry, as a person reads them; another key is shown as it is. */
export const AUDIT_DETAIL_LABELS: Readonly<Record<string, string>> = Object.freeze({
  adresse: 'Adresse',
  admis: 'Admis',
  ancien_sujet: 'Ancien identifiant chez le fournisseur',
  ancien_poste: 'Ancien poste',
  apres: 'Après',
  attestations: 'Attestations',
  au: 'Au',
  autorisation_du_surveillant: 'Autorisation du surveillant',
  avant: 'Avant',
  avant_le: 'Examens antérieurs au',
  candidats: 'Candidats',
  centre: 'Centre',
  codes_restants: 'Codes de secours restants',
  date: 'Date',
  derniere: 'Dernière tentative',
  du: 'Du',
  duree_annees: 'Durée de conservation (années)',
  echecs: 'Échecs',
  email: 'Courriel',
  examen: 'Examen',
  examens: 'Examens',
  examens_detaches: 'Examens détachés',
  fenetre_minutes: 'Fenêtre (minutes)',
  fermee_a: 'Fermée le',
  filtre: 'Filtre',
  format: 'Format',
  fournisseur: 'Fournisseur d’identité',
  heure: 'Heure',
  jeton: 'Jeton',
  jetons_revoques: 'Jetons révoqués',
  jusqu_a: 'Jusqu’au',
  lignes: 'Lignes',
  lot: 'Lot',
  methode: 'Méthode',
  minutes: 'Minutes',
  motif: 'Motif',
  navigateur: 'Navigateur',
  nom: 'Nom',
  nombre: 'Nombre',
  note: 'Note',
  nouveau_poste: 'Nouveau poste',
  numeros: 'Numéros',
  octets: 'Taille (octets)',
  phone: 'Téléphone',
  poste: 'Poste',
  premieres_impressions: 'Premières impressions',
  profil: 'Profil',
  questionnaire: 'Questionnaire',
  questions: 'Questions',
  raison: 'Raison',
  representative_name: 'Signataire',
  representative_title: 'Qualité du signataire',
  role: 'Rôle',
  salle: 'Salle',
  second_facteur: 'Second facteur',
  session: 'Session',
  siret: 'SIRET',
  siret_partage_avec: 'SIRET partagé avec',
  sujet: 'Identifiant chez le fournisseur',
  surveillant: 'Surveillant',
  tentatives: 'Tentatives',
  total: 'Total (minutes)',
  town: 'Lieu',
  version: 'Version',
});

export function auditDetailLabel(key: string): string {
  return Object.hasOwn(AUDIT_DETAIL_LABELS, key) ? AUDIT_DETAIL_LABELS[key]! : key;
}

/** One « clé : valeur » line of the details; an object value (before/after) has lines of its own. */
export interface AuditDetailLine {
  label: string;
  value: string;
  lines?: AuditDetailLine[];
}

/** Coded values of some keys, as a person reads them; another value is shown as it is. */
const AUDIT_VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  profil: PROFILE_LABELS,
  role: { admin: 'administration', manager: 'gestionnaire' },
  fournisseur: SIGN_IN_METHOD_LABELS,
  methode: SIGN_IN_METHOD_LABELS,
  raison: { candidat: 'terminé par le candidat', delai: 'temps écoulé' },
  motif: {
    date_naissance: 'date de naissance incorrecte',
    other_session: 'poste d’une autre session',
    needs_leave: 'reprise non autorisée par le surveillant',
  },
});

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A value of the details as text: instants in Paris time, days as JJ/MM/AAAA, yes/no in French. */
export function formatAuditValue(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (typeof value === 'number') {
    if (key === 'centre' && Number.isInteger(value) && value >= 1 && value <= 9999) return formatCentreId(value);
    return String(value);
  }
  if (typeof value === 'string') {
    const coded = Object.hasOwn(AUDIT_VALUE_LABELS, key) ? AUDIT_VALUE_LABELS[key]! : null;
    if (coded && Object.hasOwn(coded, value)) return coded[value]!;
    if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return formatParisDateTime(value);
    if (isValidDate(value)) return formatShortDate(value);
    return value;
  }
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((v) => formatAuditValue(key, v)).join(', ');
  return JSON.stringify(value);
}

function linesOf(object: Record<string, unknown>): AuditDetailLine[] {
  return Object.entries(object)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { label: auditDetailLabel(key), value: '', lines: linesOf(value as Record<string, unknown>) }
        : { label: auditDetailLabel(key), value: formatAuditValue(key, value) },
    );
}

/** The stored details (JSON text) as lines; text that is not a JSON object is one line of its own. */
export function auditDetailLines(details: string | null): AuditDetailLine[] {
  if (details === null || details === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [{ label: 'Détails', value: details }];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [{ label: 'Détails', value: formatAuditValue('', parsed) }];
  return linesOf(parsed as Record<string, unknown>);
}
