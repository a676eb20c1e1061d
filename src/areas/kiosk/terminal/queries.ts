import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import type { Profile } from '../../../domain/profiles.js';
import { parseStoredRules, type ExamRules } from '../../../domain/rules.js';
import type { FinishReason } from '../../../domain/exam-clock.js';

/** The exam a terminal holds, as every kiosk page reads it first. */
export interface ExamHeader {
  id: number;
  centreId: number;
  firstName: string;
  lastName: string;
  birthDate: string;
  profile: Profile;
  version: string;
  rules: ExamRules;
  startedAt: string;
  deadlineAt: string;
  terminalGeneration: number;
  finishedAt: string | null;
  finishReason: FinishReason | null;
  score: number | null;
  maximum: number | null;
  passMark: number | null;
  passed: boolean | null;
  /** Cancelled by the centre: the result page says so, with no score. */
  cancelledAt: string | null;
  /** Paused by the supervisor: the terminal shows the pause page and takes no answer. */
  pausedAt: string | null;
}

export async function getExamHeader(db: Kysely<Database>, examId: number): Promise<ExamHeader | null> {
  const row = await db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select([
      'e.id',
      'e.centre_id',
      'e.first_name',
      'e.last_name',
      'e.birth_date',
      'q.profile',
      'q.version',
      'q.rules',
      'e.started_at',
      'e.deadline_at',
      'e.terminal_generation',
      'e.finished_at',
      'e.finish_reason',
      'e.score',
      'e.maximum',
      'e.pass_mark',
      'e.passed',
      'e.cancelled_at',
      'e.paused_at',
    ])
    .where('e.id', '=', examId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    centreId: row.centre_id,
    firstName: row.first_name,
    lastName: row.last_name,
    birthDate: row.birth_date,
    profile: row.profile,
    version: row.version,
    rules: parseStoredRules(row.rules),
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    terminalGeneration: row.terminal_generation,
    finishedAt: row.finished_at,
    finishReason: row.finish_reason,
    score: row.score,
    maximum: row.maximum,
    passMark: row.pass_mark,
    passed: row.passed === null ? null : row.passed === 1,
    cancelledAt: row.cancelled_at,
    pausedAt: row.paused_at,
  };
}
