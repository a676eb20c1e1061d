import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connection.js';
import type { AnswerWriter } from './answer-save.js';
import { PostgresAnswerWriter } from './answer-writer-postgres.js';
import { SqliteAnswerWriter } from './answer-writer-sqlite.js';

export type { AnswerWriter, Choice, SaveInput, SaveOutcome } from './answer-save.js';

/** The candidates' choices, written with the same guarantees and outcomes on either database. */
export function createAnswerWriter(db: Db, clock: Clock): AnswerWriter {
  return db.kind === 'sqlite' ? new SqliteAnswerWriter(db.sqlite, clock) : new PostgresAnswerWriter(db.pool, clock);
}
