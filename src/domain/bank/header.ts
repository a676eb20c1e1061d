/** The header of a bank, the same in both formats: profile, version, title and rules. */
import { isProfile, PROFILES, type Profile } from '../profiles.js';
import { checkRules, type ExamRules, type RuleField } from '../rules.js';
import { checkKnownKeys, isJsonObject, jsonInteger, jsonText, MAX_LENGTH, type Json } from './fields.js';
import type { Bank, BankError } from './model.js';
import { missing, Reporter } from './report.js';

/** What the header holds; a field is undefined when it was faulty (and reported). */
export type Header = { [K in 'profile' | 'version' | 'title' | 'rules']: Bank[K] | undefined };

const RULES_KEYS = ['nombre_questions', 'questions_prioritaires', 'duree_minutes', 'seuil_pourcentage', 'points'];
const POINTS_KEYS = ['bonne', 'ne_sait_pas', 'fausse', 'fausse_prioritaire'];
const RULE_PATHS: Record<RuleField, string> = {
  questionCount: 'regles.nombre_questions',
  priorityCount: 'regles.questions_prioritaires',
  durationMinutes: 'regles.duree_minutes',
  passPercentage: 'regles.seuil_pourcentage',
  'points.right': 'regles.points.bonne',
  'points.dontKnow': 'regles.points.ne_sait_pas',
  'points.wrong': 'regles.points.fausse',
  'points.wrongPriority': 'regles.points.fausse_prioritaire',
};

export function readHeader(root: Json, errors: BankError[], extraKeys: readonly string[]): Header {
  checkKnownKeys(root, ['profil', 'version', 'titre', 'regles', ...extraKeys], new Reporter(errors, null));
  return {
    profile: readProfile(root, new Reporter(errors, 'profil')),
    version: jsonText(root, 'version', '« version »', MAX_LENGTH.version, new Reporter(errors, 'version')),
    title: jsonText(root, 'titre', '« titre »', MAX_LENGTH.title, new Reporter(errors, 'titre')),
    rules: readRules(root, errors),
  };
}

function readProfile(root: Json, r: Reporter): Profile | undefined {
  if (!('profil' in root)) return missing(r, '« profil »');
  const value = root['profil'];
  if (isProfile(value)) return value;
  const shown = typeof value === 'string' ? `« ${value} »` : JSON.stringify(value);
  return r.error(`Profil inconnu ${shown} : les profils possibles sont ${PROFILES.join(', ')}.`);
}

function readRules(root: Json, errors: BankError[]): ExamRules | undefined {
  const at = (path: string) => new Reporter(errors, path);
  if (!('regles' in root)) return missing(at('regles'), '« regles »');
  const rules = root['regles'];
  if (!isJsonObject(rules)) {
    return at('regles').error('Le champ « regles » doit être un objet entre accolades { … }.');
  }
  checkKnownKeys(rules, RULES_KEYS, at('regles'), 'regles.');
  const points = rules['points'];

  return checkRules({
    integer(field, min, max) {
      const path = RULE_PATHS[field];
      const holder = field.startsWith('points.') ? points : rules;
      // checkRules asks for points only once hasPoints() has vouched for them.
      if (!isJsonObject(holder)) return undefined;
      return jsonInteger(holder, path.slice(path.lastIndexOf('.') + 1), `« ${path} »`, min, max, at(path));
    },
    hasPoints() {
      if (!('points' in rules)) missing(at('regles.points'), '« regles.points »');
      else if (!isJsonObject(points)) {
        at('regles.points').error('Le champ « regles.points » doit être un objet entre accolades { … }.');
      } else {
        checkKnownKeys(points, POINTS_KEYS, at('regles.points'), 'regles.points.');
        return true;
      }
      return false;
    },
    paysAsMuchAsRight(field, value, right) {
      const path = RULE_PATHS[field];
      at(path).error(`Le champ « ${path} » (${value}) doit être inférieur aux points d’une bonne réponse (${right}).`);
    },
  });
}
