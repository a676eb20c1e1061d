import type { Queryable } from '../../../db/schema.js';
import type { QuestionnaireStatus } from '../../../domain/statuses.js';
import type { Profile } from '../../../domain/profiles.js';
import { parseStoredRules, type ExamRules } from '../../../domain/rules.js';

export interface QuestionnaireSummary {
  id: number;
  profile: Profile;
  version: string;
  title: string;
  status: QuestionnaireStatus;
  rules: ExamRules;
  createdAt: string;
  publishedAt: string | null;
  retiredAt: string | null;
  questionCount: number;
  priorityCount: number;
  themeCount: number;
}

export interface PreviewQuestion {
  id: number;
  code: string;
  theme: string;
  priority: boolean;
  statement: string;
  hasImage: boolean;
  imageDescription: string | null;
  reference: string | null;
  answers: { id: number; text: string; correct: boolean }[];
}

export async function findQuestionnaireByVersion(db: Queryable, profile: Profile, version: string) {
  return db.selectFrom('questionnaires').select('id').where('profile', '=', profile).where('version', '=', version).executeTakeFirst();
}

function summaryQuery(db: Queryable) {
  return db
    .selectFrom('questionnaires as qn')
    .leftJoin('questions as q', 'q.questionnaire_id', 'qn.id')
    .select((eb) => [
      'qn.id',
      'qn.profile',
      'qn.version',
      'qn.title',
      'qn.status',
      'qn.rules',
      'qn.created_at',
      'qn.published_at',
      'qn.retired_at',
      eb.fn.count<number>('q.id').as('question_count'),
      eb.fn.coalesce(eb.fn.sum<number>('q.priority'), eb.lit(0)).as('priority_count'),
      eb.fn.count<number>('q.theme').distinct().as('theme_count'),
    ])
    .groupBy('qn.id');
}

function toSummary(row: Awaited<ReturnType<ReturnType<typeof summaryQuery>['executeTakeFirstOrThrow']>>): QuestionnaireSummary {
  return {
    id: row.id,
    profile: row.profile,
    version: row.version,
    title: row.title,
    status: row.status,
    rules: parseStoredRules(row.rules),
    createdAt: row.created_at,
    publishedAt: row.published_at,
    retiredAt: row.retired_at,
    questionCount: Number(row.question_count),
    priorityCount: Number(row.priority_count),
    themeCount: Number(row.theme_count),
  };
}

export async function listQuestionnaires(db: Queryable): Promise<QuestionnaireSummary[]> {
  const rows = await summaryQuery(db).orderBy('qn.profile').orderBy('qn.created_at', 'desc').orderBy('qn.id', 'desc').execute();
  return rows.map(toSummary);
}

export async function getQuestionnaire(db: Queryable, id: number): Promise<QuestionnaireSummary | null> {
  const row = await summaryQuery(db).where('qn.id', '=', id).executeTakeFirst();
  return row ? toSummary(row) : null;
}

export async function getPreviewQuestions(db: Queryable, questionnaireId: number): Promise<PreviewQuestion[]> {
  const questions = await db
    .selectFrom('questions')
    .select(['id', 'code', 'theme', 'priority', 'statement', 'image_mime', 'image_description', 'reference'])
    .where('questionnaire_id', '=', questionnaireId)
    .orderBy('position')
    .execute();
  const answers = await db
    .selectFrom('answers')
    .innerJoin('questions', 'questions.id', 'answers.question_id')
    .select(['answers.id', 'answers.question_id', 'answers.text', 'answers.correct'])
    .where('questions.questionnaire_id', '=', questionnaireId)
    .orderBy('answers.question_id')
    .orderBy('answers.position')
    .execute();
  const byQuestion = new Map<number, PreviewQuestion['answers']>();
  for (const a of answers) {
    const list = byQuestion.get(a.question_id) ?? [];
    list.push({ id: a.id, text: a.text, correct: a.correct === 1 });
    byQuestion.set(a.question_id, list);
  }
  return questions.map((q) => ({
    id: q.id,
    code: q.code,
    theme: q.theme,
    priority: q.priority === 1,
    statement: q.statement,
    hasImage: q.image_mime !== null,
    imageDescription: q.image_description,
    reference: q.reference,
    answers: byQuestion.get(q.id) ?? [],
  }));
}

export async function getQuestionImage(db: Queryable, questionnaireId: number, questionId: number) {
  return db
    .selectFrom('questions')
    .select(['image_mime', 'image_data'])
    .where('id', '=', questionId)
    .where('questionnaire_id', '=', questionnaireId)
    .where('image_data', 'is not', null)
    .executeTakeFirst();
}
