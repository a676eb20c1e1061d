import { Worker } from 'node:worker_threads';
import type { Clock } from '../../clock.js';
import type { SqliteDb } from '../../db/connection.js';
import { kindOf, refusedOutright, whyNotSaved, type AnswerWriter, type ExamState, type SaveFacts, type SaveInput, type SaveOutcome } from './answer-save.js';

type SaveParams = { kind: string; idx: number; now: string; flagged: 0 | 1; seq: number; examId: number; position: number; generation: number };

export interface BatchRequest {
  id: number;
  saves: SaveParams[];
}

/** `changes[i]` is 1 when save i was applied; otherwise `states[i]` says why not (null: no such exam). */
export type BatchReply =
  { id: number; changes: number[]; states: (ExamState | null | undefined)[] } | { id: number; error: { message: string; code?: string } };

interface Pending {
  params: SaveParams;
  facts: SaveFacts;
  resolve: (outcome: SaveOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * The thread's module sits beside this one. Compiled (production), Node loads it as it is. From the
 * sources (tsx, in development and tests), Node cannot read TypeScript in a thread by itself and tsx
 * registers itself on the main thread only: the thread registers it before loading its module.
 */
function startThread(workerData: { file: string }): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./answer-writer-sqlite-thread.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new URL('./answer-writer-sqlite-thread.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(thread)}); })`, { eval: true, workerData });
}

/** A running thread and the batches in it, answered or rejected by it alone. */
interface Running {
  worker: Worker;
  waiting: Map<number, { resolve: (reply: BatchReply) => void; reject: (err: Error) => void }>;
}

/**
 * The thread that writes a database's answers, started at its first batch and ended with the
 * database. It keeps the process alive only while a batch is in it.
 */
class AnswerThread {
  #running: Running | null = null;
  #nextId = 1;
  #closed = false;
  #drained: (() => void) | null = null;

  constructor(private readonly file: string) {}

  write(saves: SaveParams[], timeoutMs: number): Promise<BatchReply> {
    if (this.#closed) return Promise.reject(new Error('la base de données est fermée : réponse non enregistrée'));
    const running = (this.#running ??= this.#start());
    const id = this.#nextId++;
    if (running.waiting.size === 0) running.worker.ref();
    return new Promise((resolve, reject) => {
      // A batch waits for SQLite's lock 5 s at most (busy_timeout): a thread silent for longer is
      // stuck, and would hold the write gate, and with it every write of the platform.
      const timer = setTimeout(() => this.#end(running, new Error('le fil d’écriture des réponses ne répond plus')), timeoutMs);
      timer.unref();
      running.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      running.worker.postMessage({ id, saves } satisfies BatchRequest);
    });
  }

  #start(): Running {
    const running: Running = { worker: startThread({ file: this.file }), waiting: new Map() };
    const { worker, waiting } = running;
    worker.unref();
    worker.on('message', (reply: BatchReply) => {
      const batch = waiting.get(reply.id);
      waiting.delete(reply.id);
      batch?.resolve(reply);
      if (waiting.size === 0) {
        worker.unref();
        this.#drained?.();
      }
    });
    // An error in the thread ends it: the batches in it are rejected (none was acknowledged, whether
    // or not it was committed), and the next batch starts another thread with a new connection.
    let failure: Error | null = null;
    worker.on('error', (err) => (failure = err));
    worker.on('messageerror', (err) => this.#end(running, err));
    worker.on('exit', (code) => this.#end(running, failure ?? new Error(`le fil d’écriture des réponses s’est arrêté (code ${code})`)));
    return running;
  }

  #end(running: Running, err: Error): void {
    if (this.#running === running) this.#running = null;
    for (const batch of running.waiting.values()) batch.reject(err);
    running.waiting.clear();
    void running.worker.terminate();
    this.#drained?.();
  }

  /** Lets the batches already in the thread end, then ends it; any later save is refused. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#running && this.#running.waiting.size > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    await this.#running?.worker.terminate();
  }
}

/** As on PostgreSQL (answer-writer-postgres.ts): the kiosk sends a save that was not acknowledged again. */
const BATCH_TIMEOUT_MS = 15_000;

const threads = new WeakMap<SqliteDb, AnswerThread>();

function threadOf(db: SqliteDb): AnswerThread {
  let thread = threads.get(db);
  if (!thread) {
    const created = (thread = new AnswerThread(db.file));
    threads.set(db, created);
    db.atClose(() => created.close());
  }
  return thread;
}

/**
 * The answer writer on SQLite: each save is acknowledged once its batch's transaction is committed
 * (synchronous = FULL): one disk sync serves a whole room instead of one per click. The batch is
 * written by a thread with its own connection, so that the commit's wait for the disk does not hold
 * up the event loop; the write gate keeps it from overlapping the main connection's writes.
 */
export class SqliteAnswerWriter implements AnswerWriter {
  readonly #thread: AnswerThread;
  #queue: Pending[] = [];
  #scheduled = false;
  #writing = false;

  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
    private readonly batchTimeoutMs = BATCH_TIMEOUT_MS,
  ) {
    this.#thread = threadOf(db);
  }

  save(examId: number, input: SaveInput): Promise<SaveOutcome> {
    const refused = refusedOutright(examId, input);
    if (refused) return Promise.resolve(refused);
    const facts: SaveFacts = { ...kindOf(input.choice), now: this.clock.now().toISOString(), generation: input.generation };
    return new Promise((resolve, reject) => {
      this.#queue.push({
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
      this.#schedule();
    });
  }

  // Right after this turn's I/O: every save read from the sockets in this turn joins the batch, and
  // the saves that arrive while a batch is being committed form the next one. Batches thus grow with
  // the load by themselves, and a lone save waits for nothing.
  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    this.#writing = true;
    await this.db.writeGate.acquire();
    // Taken once the gate is ours: the saves that came while a transaction held it join this batch.
    const batch = this.#queue;
    this.#queue = [];
    try {
      const reply = await this.#thread.write(
        batch.map((p) => p.params),
        this.batchTimeoutMs,
      );
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      batch.forEach((p, i) => p.resolve(reply.changes[i] === 1 ? 'saved' : whyNotSaved(reply.states[i] ?? null, p.facts)));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.db.writeGate.release();
      this.#writing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
