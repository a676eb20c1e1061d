import type { Queryable } from '../../db/schema.js';
import type { DrawableQuestion } from '../../domain/draw.js';

/** The questions as the draw sees them. */
export async function getDrawableQuestions(db: Queryable, questionnaireId: number): Promise<DrawableQuestion[]> {
  const rows = await db
    .selectFrom('questions')
    .innerJoin('answers', 'answers.question_id', 'questions.id')
    .select(['questions.id', 'questions.theme', 'questions.priority', 'answers.id as answer_id'])
    .where('questions.questionnaire_id', '=', questionnaireId)
    .orderBy('questions.id')
    .orderBy('answers.position')
    .execute();
  const byId = new Map<number, DrawableQuestion>();
  for (const r of rows) {
    const q = byId.get(r.id) ?? { id: r.id, theme: r.theme, priority: r.priority === 1, answerIds: [] };
    q.answerIds.push(r.answer_id);
    byId.set(r.id, q);
  }
  return [...byId.values()];
}
