import type pg from 'pg';
import type { Clock } from '../../clock.js';
import { kindOf, refusedOutright, whyNotSaved, type AnswerWriter, type ExamState, type SaveFacts, type SaveInput, type SaveOutcome } from './answer-save.js';

interface Pending {
  examId: number;
  position: number;
  flagged: 0 | 1;
  seq: number;
  facts: SaveFacts;
  resolve: (outcome: SaveOutcome) => void;
  reject: (err: unknown) => void;
}

// The same save as on SQLite (answer-writer-sqlite.ts says why each condition is there), for a whole
// batch in one statement: one round trip whatever the room's size. Under READ COMMITTED, `live` locks the
// exams it relies on FOR SHARE: a finish (which locks its exam FOR UPDATE before reading the
// answers to score them) or a pause either waits for this batch's commit, or has committed first and
// then this statement, having waited for it, sees the exam finished or paused and writes nothing.
// The deadline and the generation are read from those locked rows, locked in the order of their ids
// as other batches lock them. One UPDATE changes a row once: a question twice in a batch goes into
// successive statements (rounds).
const SAVE_SQL = `
with b as (
  select * from unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::text[], $6::int[], $7::int[], $8::int[])
    with ordinality as b(exam_id, position, kind, idx, arrived, flagged, seq, generation, ord)
), live as (
  select id, deadline_at, terminal_generation from exams
  where id = any($1::int[]) and finished_at is null and paused_at is null
  order by id
  for share
)
update exam_questions eq set
  chosen_answer_id = case b.kind when 'answer' then (eq.answer_order::jsonb ->> (b.idx - 1))::int when 'nsp' then null else eq.chosen_answer_id end,
  dont_know = case b.kind when 'answer' then 0 when 'nsp' then 1 else eq.dont_know end,
  answered_at = case when b.kind in ('answer', 'nsp') then b.arrived else eq.answered_at end,
  flagged = b.flagged,
  response_seq = b.seq
from b join live on live.id = b.exam_id
where eq.exam_id = b.exam_id and eq.position = b.position and eq.response_seq <= b.seq
  and (b.kind <> 'answer' or eq.answer_order::jsonb ->> (b.idx - 1) is not null)
  and live.deadline_at > b.arrived and live.terminal_generation = b.generation
returning b.ord::int as ord`;

// A statement of its own, after the saves: it sees what they waited for (a finish committed
// meanwhile), which the saving statement's own snapshot would not.
const WHY_SQL = `
select b.ord::int as ord, e.finished_at, e.paused_at, e.deadline_at, e.terminal_generation, eq.answer_order
from unnest($1::int[], $2::int[]) with ordinality as b(exam_id, position, ord)
join exams e on e.id = b.exam_id
left join exam_questions eq on eq.exam_id = e.id and eq.position = b.position`;

/**
 * A batch waits on an exam's lock only while a finish or a pause holds it, for milliseconds: a
 * statement still running after this long would hold every later save. PostgreSQL then cancels it
 * and the batch's saves are rejected (the kiosk sends an unacknowledged save again); a connection
 * gone silent (no reset to tell) is dropped SERVER_GRACE_MS later.
 */
const QUERY_TIMEOUT_MS = 15_000;
/** How much longer the client waits than the server's own cancellation before giving the connection up. */
const SERVER_GRACE_MS = 5_000;

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

/**
 * The answer writer on PostgreSQL: the saves that arrive in one turn form a batch, written in one
 * transaction on a connection of the pool and acknowledged once it is committed; one batch at a
 * time per process, the saves arriving meanwhile forming the next.
 */
export class PostgresAnswerWriter implements AnswerWriter {
  #queue: Pending[] = [];
  #scheduled = false;
  #writing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly queryTimeoutMs = QUERY_TIMEOUT_MS,
  ) {}

  save(examId: number, input: SaveInput): Promise<SaveOutcome> {
    const refused = refusedOutright(examId, input);
    if (refused) return Promise.resolve(refused);
    const facts: SaveFacts = { ...kindOf(input.choice), now: this.clock.now().toISOString(), generation: input.generation };
    return new Promise((resolve, reject) => {
      this.#queue.push({ examId, position: input.position, flagged: input.flagged ? 1 : 0, seq: input.seq, facts, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    // As on SQLite: right after this turn's I/O, so that every save read in this turn joins the batch.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = true;
    try {
      const outcomes = await this.#write(batch);
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#writing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  async #write(batch: Pending[]): Promise<SaveOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(batch);
      } catch (err) {
        // A deadlock's victim (batches of two instances on the same questions, or a change locking
        // exams in another order) wrote nothing: the other side has gone on, so the batch is written
        // again rather than every save in it refused.
        if ((err as { code?: unknown } | null)?.code !== DEADLOCK || attempt >= ATTEMPTS) throw err;
      }
    }
  }

  async #attempt(batch: Pending[]): Promise<SaveOutcome[]> {
    const client = await this.pool.connect();
    // A connection lost mid-batch rejects the query under way, and also emits 'error' on its client,
    // which would bring the process down while no one else listens.
    const ignore = () => undefined;
    client.on('error', ignore);
    // pg reads query_timeout per query, though its types know it only for the whole client. It is
    // the last resort, for a server that no longer answers at all: PostgreSQL itself cancels a
    // statement past statement_timeout (a lock held too long), and the batch then rolls back on a
    // connection that stays usable.
    const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      const config: pg.QueryConfig & { query_timeout: number } = { text, values, query_timeout: this.queryTimeoutMs + SERVER_GRACE_MS };
      return client.query<R>(config);
    };
    let broken = false;
    try {
      // READ COMMITTED: the reasons read after the saves must see what the saves waited for. One
      // round trip for both statements (a simple query without parameters may hold several).
      await query(`begin isolation level read committed; set local statement_timeout = ${Math.round(this.queryTimeoutMs)}`);
      const saved = new Set<Pending>();
      for (const round of rounds(batch)) {
        const { rows } = await query<{ ord: number }>(SAVE_SQL, columns(round));
        for (const { ord } of rows) saved.add(round[ord - 1]!);
      }
      const unsaved = batch.filter((p) => !saved.has(p));
      const states = new Map<Pending, ExamState>();
      if (unsaved.length > 0) {
        const { rows } = await query<ExamState & { ord: number }>(WHY_SQL, [unsaved.map((p) => p.examId), unsaved.map((p) => p.position)]);
        for (const { ord, ...state } of rows) states.set(unsaved[ord - 1]!, state);
      }
      await query('commit');
      return batch.map((p) => (saved.has(p) ? 'saved' : whyNotSaved(states.get(p) ?? null, p.facts)));
    } catch (err) {
      // The client gave up waiting (the server said nothing at all): a rollback would only queue
      // behind the statement that never answered. Otherwise a connection that cannot even roll back
      // is not given back to the pool.
      broken =
        (err as Error | null)?.message === 'Query read timeout' ||
        (await query('rollback').then(
          () => false,
          () => true,
        ));
      throw err;
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }
}

/**
 * The batch in rounds: each round holds each question at most once, and the second save of a
 * question comes in the round after its first, so that it applies (or is stale) after it.
 */
function rounds(batch: Pending[]): Pending[][] {
  const seen = new Map<string, number>();
  const out: Pending[][] = [];
  for (const p of batch) {
    const key = `${p.examId}/${p.position}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (out[n] ??= []).push(p);
  }
  return out;
}

/** SAVE_SQL's arrays, in its parameters' order. */
function columns(round: Pending[]): unknown[] {
  return [
    round.map((p) => p.examId),
    round.map((p) => p.position),
    round.map((p) => p.facts.kind),
    round.map((p) => p.facts.idx),
    round.map((p) => p.facts.now),
    round.map((p) => p.flagged),
    round.map((p) => p.seq),
    round.map((p) => p.facts.generation),
  ];
}
