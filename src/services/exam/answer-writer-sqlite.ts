import type SQLite from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { kindOf, refusedOutright, whyNotSaved, type AnswerWriter, type ExamState, type SaveFacts, type SaveInput, type SaveOutcome } from './answer-save.js';

interface Pending {
  params: Record<string, string | number | null>;
  examId: number;
  position: number;
  facts: SaveFacts;
  resolve: (outcome: SaveOutcome) => void;
  reject: (err: unknown) => void;
}

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

/**
 * The answer writer on SQLite: each save is acknowledged once its batch's transaction is committed
 * (synchronous = FULL): one disk sync serves a whole room instead of one per click.
 */
export class SqliteAnswerWriter implements AnswerWriter {
  readonly #save: SQLite.Statement;
  readonly #why: SQLite.Statement;
  readonly #writeBatch: (batch: Pending[]) => number[];
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly clock: Clock,
  ) {
    this.#save = sqlite.prepare(SAVE_SQL);
    this.#why = sqlite.prepare(WHY_SQL);
    this.#writeBatch = sqlite.transaction((batch: Pending[]) => batch.map((p) => this.#save.run(p.params).changes));
  }

  save(examId: number, input: SaveInput): Promise<SaveOutcome> {
    const refused = refusedOutright(examId, input);
    if (refused) return Promise.resolve(refused);
    const facts: SaveFacts = { ...kindOf(input.choice), now: this.clock.now().toISOString(), generation: input.generation };
    return new Promise((resolve, reject) => {
      this.#queue.push({
        examId,
        position: input.position,
        facts,
        params: {
          kind: facts.kind,
          idx: facts.idx,
          now: facts.now,
          flagged: input.flagged ? 1 : 0,
          seq: input.seq,
          examId,
          position: input.position,
          generation: input.generation,
        },
        resolve,
        reject,
      });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Right after this turn's I/O: every save read from the sockets in this turn joins the batch,
        // and the saves that arrive while a batch is being committed form the next one. Batches thus
        // grow with the load by themselves, and a lone save waits for nothing (a timer window left the
        // server idle while whole rooms waited on it).
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    // Another transaction is open on the shared connection (an awaited Kysely transaction): our
    // statements would join it and "commit" nothing. Wait until it ends.
    if (this.sqlite.inTransaction) {
      setImmediate(() => this.#flush());
      return;
    }
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    let changes: number[];
    try {
      changes = this.#writeBatch(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(changes[i] === 1 ? 'saved' : this.#whyNotSaved(p)));
  }

  #whyNotSaved(p: Pending): SaveOutcome {
    const state = this.#why.get({ examId: p.examId, position: p.position }) as ExamState | undefined;
    return whyNotSaved(state ?? null, p.facts);
  }
}
