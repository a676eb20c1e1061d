import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

interface Rows {
  exams: { id: number; paused_at: string | null; cancelled_at: string | null };
  exam_pauses: { id?: number; exam_id: number; started_at: string; ended_at: string | null; reason: string };
  audit_log: { id: number; at: string; action: string; details: string | null; target_type: string | null; target_id: string | null };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // Each exam's pauses, one row per pause: a room's pause is one incident of the session but a pause
  // of each of its exams, and a candidate's record lists its own (when, why, how long).
  // SQLite runs this DDL outside the migration's transaction: a start interrupted below must be able
  // to run it again.
  await db.schema
    .createTable('exam_pauses')
    .ifNotExists()
    .addColumn('id', 'integer', autoId(db))
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('exam_pauses_exam').ifNotExists().on('exam_pauses').columns(['exam_id', 'started_at']).execute();

  // The pauses made before this table, recovered from the audit trail, which names each exam of a
  // pause and of its resumption (details.examens) with the reason (details.motif). The first builds
  // wrote a count there instead: a single exam's is then its target; a room's cannot be recovered.
  const rows = db as unknown as Kysely<Rows>;
  await rows.deleteFrom('exam_pauses').execute();
  const audit = await rows
    .selectFrom('audit_log')
    .select(['at', 'action', 'details', 'target_type', 'target_id'])
    .where('action', 'in', ['examen.pause', 'examen.reprise'])
    .orderBy('at')
    .orderBy('id')
    .execute();
  const open = new Map<number, { started_at: string; reason: string }>();
  const done: Rows['exam_pauses'][] = [];
  for (const row of audit) {
    const details = JSON.parse(row.details ?? '{}') as { examens?: unknown; motif?: string };
    const exams = Array.isArray(details.examens) ? details.examens.map(Number) : row.target_type === 'examen' ? [Number(row.target_id)] : [];
    if (row.action === 'examen.pause') {
      for (const id of exams) open.set(id, { started_at: row.at, reason: details.motif ?? '' });
      continue;
    }
    for (const id of exams) {
      const pause = open.get(id);
      if (!pause) continue;
      done.push({ exam_id: id, ...pause, ended_at: row.at });
      open.delete(id);
    }
  }
  // Not resumed: still paused now, or cancelled while paused (the cancellation ended the pause; the
  // first builds left paused_at set on a cancelled exam).
  for (const [id, pause] of open) {
    const exam = await rows.selectFrom('exams').select(['paused_at', 'cancelled_at']).where('id', '=', id).executeTakeFirst();
    if (exam) done.push({ exam_id: id, ...pause, ended_at: exam.paused_at && !exam.cancelled_at ? null : (exam.cancelled_at ?? pause.started_at) });
  }
  for (const pause of done) await rows.insertInto('exam_pauses').values(pause).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exam_pauses').execute();
}
