/**
 * The import formats as the import page describes them (views/admin/questionnaires/format.eta),
 * field by field. Every limit comes from the bank reader itself (domain/bank/, domain/rules.ts), so
 * the description cannot promise what the reader refuses; the field lists are held to the reader's
 * own by test/areas/admin/questionnaire-format-help.test.ts.
 */
import { CSV_COLUMNS, CSV_OPTIONAL_COLUMNS, MAX_ANSWERS, MAX_IMAGE_BYTES } from '../../../domain/bank/index.js';
import { MAX_LENGTH } from '../../../domain/bank/fields.js';
import { MIN_ANSWERS } from '../../../domain/bank/question-checks.js';
import { PROFILES } from '../../../domain/profiles.js';
import { checkRules, type RuleField } from '../../../domain/rules.js';

/** One field of a format: its name as written in the file, what it holds, and what it means. */
export interface FieldDoc {
  name: string;
  /** False when the field may be left out (JSON) or its cell left empty (CSV). */
  required: boolean;
  content: string;
  meaning: string;
}

type Range = { min: number; max: number };

/**
 * The bounds checkRules gives each rule: it is asked for every field with no value given, so that
 * the bounds described are the ones it enforces. (The priority count's upper bound is the question
 * count, said in words below.)
 */
function ruleRanges(): Record<RuleField, Range> {
  const ranges: Partial<Record<RuleField, Range>> = {};
  checkRules({
    integer(field, min, max) {
      ranges[field] = { min, max };
      return undefined;
    },
    hasPoints: () => true,
    paysAsMuchAsRight: () => undefined,
  });
  return ranges as Record<RuleField, Range>;
}

const RULES = ruleRanges();
const whole = (field: RuleField) => `nombre entier de ${RULES[field].min} à ${RULES[field].max}`;
const text = (max: number) => `texte, ${max} caractères au plus`;
const BOOLEAN = 'true ou false, sans guillemets';
const quoted = (values: readonly string[]) => values.map((v) => `« ${v} »`).join(', ');
const CODE_RULE =
  'lettres sans accent, chiffres, « - », « _ » ou « . », en commençant par une lettre ou un chiffre ; ' +
  'unique dans la banque (« OP-001 » et « op-001 » comptent pour le même code)';
const IMAGE_MEGABYTES = MAX_IMAGE_BYTES / 1_048_576;
const IMAGE_DESCRIPTION =
  'ce que montre l’image, pour le candidat qui ne la voit pas : les lecteurs d’écran la lisent à sa place ; ' +
  'sans description, l’image est annoncée « Illustration de la question » suivie de son numéro';
const REFERENCE = 'la référence réglementaire de la question, par exemple « R554-21 », montrée à l’administration nationale dans l’aperçu, jamais au candidat';

/** Profile, version, title and rules: the start of a JSON bank, and the whole JSON header of a CSV bank. */
export const HEADER_FIELDS: readonly FieldDoc[] = [
  { name: 'profil', required: true, content: 'texte', meaning: `le profil de l’examen : ${quoted(PROFILES)} (sans accent)` },
  {
    name: 'version',
    required: true,
    content: text(MAX_LENGTH.version),
    meaning:
      'le numéro de version, par exemple « 2026 » ; un profil n’a jamais deux fois la même version : ' + 'une correction s’importe sous un nouveau numéro',
  },
  { name: 'titre', required: true, content: text(MAX_LENGTH.title), meaning: 'le titre du questionnaire, montré aux centres' },
  { name: 'regles', required: true, content: 'objet { … }', meaning: 'les règles de l’examen : les champs « regles.… » ci-dessous' },
  { name: 'regles.nombre_questions', required: true, content: whole('questionCount'), meaning: 'le nombre de questions tirées pour chaque examen' },
  {
    name: 'regles.questions_prioritaires',
    required: true,
    content: `nombre entier de ${RULES.priorityCount.min} à « regles.nombre_questions »`,
    meaning: 'parmi elles, le nombre de questions prioritaires',
  },
  { name: 'regles.duree_minutes', required: true, content: whole('durationMinutes'), meaning: 'la durée de l’examen, en minutes' },
  {
    name: 'regles.seuil_pourcentage',
    required: true,
    content: whole('passPercentage'),
    meaning: 'le seuil de réussite, en pourcentage de la note maximale (nombre de questions × points d’une bonne réponse)',
  },
  {
    name: 'regles.points',
    required: true,
    content: 'objet { … }',
    meaning: 'le barème : les points ajoutés au total pour chaque réponse ; une pénalité s’écrit en négatif (-1), une question laissée sans réponse compte 0',
  },
  { name: 'regles.points.bonne', required: true, content: whole('points.right'), meaning: 'une bonne réponse' },
  {
    name: 'regles.points.ne_sait_pas',
    required: true,
    content: `${whole('points.dontKnow')}, inférieur à « bonne »`,
    meaning: 'la réponse « Je ne sais pas »',
  },
  { name: 'regles.points.fausse', required: true, content: `${whole('points.wrong')}, inférieur à « bonne »`, meaning: 'une mauvaise réponse' },
  {
    name: 'regles.points.fausse_prioritaire',
    required: true,
    content: `${whole('points.wrongPriority')}, inférieur à « bonne »`,
    meaning: 'une mauvaise réponse à une question prioritaire',
  },
];

/** The field of a JSON bank that its header fields leave out. */
export const QUESTIONS_FIELD: FieldDoc = {
  name: 'questions',
  required: true,
  content: 'liste [ … ] de questions',
  meaning: 'les questions, décrites ci-dessous ; ce champ n’existe que dans le fichier JSON d’une banque, jamais dans l’en-tête d’une banque CSV',
};

/** Each element of "questions". */
export const QUESTION_FIELDS: readonly FieldDoc[] = [
  { name: 'code', required: true, content: text(MAX_LENGTH.code), meaning: `l’identifiant de la question : ${CODE_RULE}` },
  { name: 'theme', required: true, content: text(MAX_LENGTH.theme), meaning: 'le thème ; le tirage répartit les questions de chaque examen entre les thèmes' },
  {
    name: 'prioritaire',
    required: true,
    content: BOOLEAN,
    meaning: 'true pour une question prioritaire : une mauvaise réponse y compte « regles.points.fausse_prioritaire »',
  },
  { name: 'enonce', required: true, content: text(MAX_LENGTH.statement), meaning: 'l’énoncé de la question' },
  {
    name: 'image',
    required: false,
    content: 'texte : une URI « data: »',
    meaning:
      `une illustration PNG, JPEG ou SVG, par exemple « data:image/png;base64,… », de ${IMAGE_MEGABYTES} Mo au plus une fois décodée ` +
      '(une adresse web ou un chemin de fichier ne sont pas acceptés) ; sans image, omettez le champ ou écrivez null',
  },
  {
    name: 'description_image',
    required: false,
    content: text(MAX_LENGTH.imageDescription),
    meaning: `${IMAGE_DESCRIPTION} ; seulement avec une « image »`,
  },
  { name: 'reference', required: false, content: text(MAX_LENGTH.reference), meaning: REFERENCE },
  {
    name: 'reponses',
    required: true,
    content: `liste [ … ] de ${MIN_ANSWERS} à ${MAX_ANSWERS} réponses`,
    meaning: 'les réponses proposées, décrites ci-dessous ; le candidat les voit dans un ordre tiré au hasard',
  },
];

/** Each element of "reponses". */
export const ANSWER_FIELDS: readonly FieldDoc[] = [
  {
    name: 'texte',
    required: true,
    content: text(MAX_LENGTH.answer),
    meaning: 'le texte de la réponse ; deux réponses d’une question ne peuvent pas être identiques (majuscules et minuscules confondues)',
  },
  { name: 'correcte', required: true, content: BOOLEAN, meaning: 'true pour la bonne réponse : exactement une réponse de chaque question' },
];

type CsvColumn = (typeof CSV_COLUMNS)[number] | (typeof CSV_OPTIONAL_COLUMNS)[number];

const CSV_COLUMN_DOCS: Record<CsvColumn, Omit<FieldDoc, 'name'>> = {
  code: { required: true, content: text(MAX_LENGTH.code), meaning: `l’identifiant de la question : ${CODE_RULE}` },
  theme: { required: true, content: text(MAX_LENGTH.theme), meaning: 'le thème' },
  prioritaire: { required: true, content: '« oui » ou « non »', meaning: 'question prioritaire ou non' },
  enonce: { required: true, content: text(MAX_LENGTH.statement), meaning: 'l’énoncé de la question' },
  reponse_1: { required: true, content: text(MAX_LENGTH.answer), meaning: 'la première réponse' },
  reponse_2: { required: true, content: text(MAX_LENGTH.answer), meaning: 'la deuxième réponse' },
  reponse_3: { required: false, content: text(MAX_LENGTH.answer), meaning: 'la troisième réponse, ou une cellule vide' },
  reponse_4: {
    required: false,
    content: text(MAX_LENGTH.answer),
    meaning: 'la quatrième réponse, ou une cellule vide ; les réponses se suivent : pas de réponse 4 sans réponse 3',
  },
  bonne_reponse: {
    required: true,
    content: `nombre de 1 à ${MAX_ANSWERS}`,
    meaning: 'le numéro de la seule bonne réponse, dont la cellule doit être remplie',
  },
  description_image: {
    required: false,
    content: 'une cellule vide',
    meaning: 'la description d’une image, que le format CSV ne permet pas : une question illustrée et sa description s’importent au format JSON',
  },
  reference: { required: false, content: text(MAX_LENGTH.reference), meaning: `${REFERENCE} ; une cellule vide s’il n’y en a pas` },
};

/** The CSV columns, in the order of the file's first line, the optional ones last. */
export const CSV_COLUMN_FIELDS: readonly FieldDoc[] = [...CSV_COLUMNS, ...CSV_OPTIONAL_COLUMNS].map((name) => ({ name, ...CSV_COLUMN_DOCS[name] }));

/** What the import page's description needs beyond the field lists. */
export const IMPORT_FORMAT = {
  header: HEADER_FIELDS,
  questionsField: QUESTIONS_FIELD,
  question: QUESTION_FIELDS,
  answer: ANSWER_FIELDS,
  csv: CSV_COLUMN_FIELDS,
  csvRequiredColumns: CSV_COLUMNS,
  csvOptionalColumns: CSV_OPTIONAL_COLUMNS,
  minAnswers: MIN_ANSWERS,
  maxAnswers: MAX_ANSWERS,
};
