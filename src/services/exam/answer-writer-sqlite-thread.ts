import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteFile } from '../../db/sqlite-file.js';
import type { ExamState } from './answer-save.js';
import type { BatchReply, BatchRequest } from './answer-writer-sqlite.js';

// The answer writer's thread: its own connection to the file writes each batch in one transaction
// and waits there for the disk (synchronous = FULL), while the event loop serves the next requests.

// One statement does the whole save: it maps the candidate's answer index to the answer id of this
// exam's frozen order, and applies only if the exam is still running on this terminal and the
// request is not older than the last one applied. An equal seq comes from the same page sent again:
// a form posted twice without JavaScript (the candidate changed their mind during a slow submit), or
// htmx without kiosk.js (which numbers the clicks); the later arrival is the later choice. The deadline is checked here, inside the write, so
// that no answer can land after the exam was scored.
const SAVE_SQL = `
update exam_questions set
  chosen_answer_id = case :kind when 'answer' then json_extract(answer_order, '$[' || cast(:idx - 1 as integer) || ']') when 'nsp' then null else chosen_answer_id end,
  dont_know = case :kind when 'answer' then 0 when 'nsp' then 1 else dont_know end,
  answered_at = case when :kind in ('answer', 'nsp') then :now else answered_at end,
  flagged = :flagged,
  response_seq = :seq
where exam_id = :examId and position = :position and response_seq <= :seq
  and (:kind <> 'answer' or json_extract(answer_order, '$[' || cast(:idx - 1 as integer) || ']') is not null)
  and exists (select 1 from exams where id = :examId and finished_at is null and paused_at is null and deadline_at > :now and terminal_generation = :generation)`;

const WHY_SQL = `
select e.finished_at, e.paused_at, e.deadline_at, e.terminal_generation, eq.answer_order
from exams e left join exam_questions eq on eq.exam_id = e.id and eq.position = :position
where e.id = :examId`;

const port = parentPort!;
const sqlite = openSqliteFile((workerData as { file: string }).file);
const save = sqlite.prepare(SAVE_SQL);
const why = sqlite.prepare(WHY_SQL);
const writeBatch = sqlite.transaction((batch: BatchRequest['saves']) => batch.map((params) => save.run(params).changes));

port.on('message', ({ id, saves }: BatchRequest) => {
  // A transaction left open (a failed rollback) would turn the next batch's into a savepoint inside
  // it, and its "commit" into a release that commits nothing: end the thread, the next batch gets
  // another connection.
  if (sqlite.inTransaction) process.exit(1);
  let reply: BatchReply;
  try {
    // IMMEDIATE: the write lock from the start, as the main connection takes it.
    const changes = writeBatch.immediate(saves);
    // Why a save changed nothing is read after the commit, for those saves only.
    const states = changes.map((n, i) =>
      n === 1 ? undefined : ((why.get({ examId: saves[i]!.examId, position: saves[i]!.position }) as ExamState | undefined) ?? null),
    );
    reply = { id, changes, states };
  } catch (err) {
    const { message, code } = err as { message?: string; code?: string };
    reply = { id, error: { message: message ?? String(err), code } };
  }
  port.postMessage(reply);
});
