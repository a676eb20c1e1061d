import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import t, { type Test } from 'tap';
import { pauseExams } from '../../../src/areas/centre/exams/lifecycle.js';
import { ManualClock } from '../../../src/clock.js';
import { openDatabaseFile, openDatabaseUrl, type Db } from '../../../src/db/connection.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import type { Database } from '../../../src/db/schema.js';
import { seedDemo } from '../../../src/operator/seed-demo.js';
import type { SaveInput } from '../../../src/services/exam/answer-save.js';
import { createAnswerWriter } from '../../../src/services/exam/answer-writer.js';
import { PostgresAnswerWriter } from '../../../src/services/exam/answer-writer-postgres.js';
import { finishExam, startExam } from '../../../src/services/exam/lifecycle.js';
import { findOpenSessions } from '../../../src/services/exam/sessions.js';
import { startPostgres } from '../../helpers/postgres.js';

/**
 * The answer writer (the exam's hot path) on both databases: the same cases, the same outcomes;
 * then, on PostgreSQL, what only concurrent connections show (a finish holding the exam row, a
 * connection lost or silent mid-batch, a deadlock).
 */

const START = '2026-11-29T09:00:00.000Z';
const LATER = '2026-11-29T09:05:00.000Z';
const CENTRE = 1;
const tester = { actor: { accountId: null, label: 'test' } };

interface Opened {
  db: Db;
  /** The same database through a connection of its own: what it reads was committed. */
  reader: Kysely<Database>;
  /** PostgreSQL only: its address, for connections of the test's own that hold locks. */
  url?: string;
}

async function openSqlite(t: Test): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-answers-'));
  const db = openDatabaseFile(join(dir, 'answers.sqlite'));
  const reader = openDatabaseFile(join(dir, 'answers.sqlite'));
  t.teardown(async () => {
    await reader.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, reader: reader.kysely };
}

const server = await startPostgres(t);

async function openPostgres(t: Test): Promise<Opened> {
  const { url, db: reader } = await server!.database(t);
  const db = await openDatabaseUrl(url);
  t.teardown(() => db.close());
  return { db, reader: reader as Kysely<Database>, url };
}

/** A migrated database with the demo centre, banks, tokens and today's open session. */
async function seeded(t: Test, open: (t: Test) => Promise<Opened>) {
  const opened = await open(t);
  const kysely = opened.db.kysely;
  const clock = new ManualClock(START);
  await migrateToLatest(kysely);
  await seedDemo(kysely, clock, 'mot-de-passe-des-tests');
  const [session] = await findOpenSessions(kysely, CENTRE, clock.now());

  /** A new exam on a token of the demo stock, started at START. */
  const startOne = async (): Promise<number> => {
    const token = await kysely.selectFrom('exam_tokens').select('id').where('status', '=', 'available').orderBy('id').executeTakeFirstOrThrow();
    const outcome = await startExam(kysely, clock, {
      centreId: CENTRE,
      tokenId: token.id,
      examSessionId: session!.id,
      identity: { lastName: 'Martin', firstName: 'Léa', birthDate: '1990-04-12', company: null, companyAddress: null },
    });
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.examId;
  };
  const question = (examId: number, position: number) =>
    opened.reader
      .selectFrom('exam_questions')
      .select(['answer_order', 'chosen_answer_id', 'dont_know', 'flagged', 'response_seq', 'answered_at'])
      .where('exam_id', '=', examId)
      .where('position', '=', position)
      .executeTakeFirstOrThrow();
  /** The answer id shown at `index` (1-based) of a question. */
  const answerAt = async (examId: number, position: number, index: number) =>
    (JSON.parse((await question(examId, position)).answer_order) as number[])[index - 1];
  const writer = (at = LATER) => createAnswerWriter(opened.db, new ManualClock(at));
  return { ...opened, clock, startOne, question, answerAt, writer };
}

const answer = (position: number, index: number, seq: number, more: Partial<SaveInput> = {}): SaveInput => ({
  position,
  choice: { kind: 'answer', index },
  flagged: false,
  seq,
  generation: 0,
  ...more,
});

const backends: [string, (t: Test) => Promise<Opened>][] = [['SQLite', openSqlite]];
if (server) backends.push(['PostgreSQL', openPostgres]);

for (const [name, open] of backends) {
  t.test(`the same saves and outcomes on ${name}`, async (t) => {
    const base = await seeded(t, open);
    const { startOne, question, answerAt, writer } = base;

    t.test('an acknowledged save is committed: another connection reads it', async (t) => {
      const examId = await startOne();
      t.equal(await writer().save(examId, answer(1, 2, 1)), 'saved');
      t.match(await question(examId, 1), {
        chosen_answer_id: await answerAt(examId, 1, 2),
        dont_know: 0,
        flagged: 0,
        response_seq: 1,
        answered_at: LATER,
      });
    });

    t.test('saves of many exams arriving together are all saved, each its own choice', async (t) => {
      const exams: number[] = [];
      for (let i = 0; i < 12; i++) exams.push(await startOne());
      const w = writer();
      const outcomes = await Promise.all(exams.map((examId, i) => w.save(examId, answer(1 + (i % 3), 1 + (i % 2), 1, { flagged: i % 4 === 0 }))));
      t.same(
        outcomes,
        exams.map(() => 'saved'),
      );
      for (const [i, examId] of exams.entries()) {
        t.match(await question(examId, 1 + (i % 3)), { chosen_answer_id: await answerAt(examId, 1 + (i % 3), 1 + (i % 2)), flagged: i % 4 === 0 ? 1 : 0 });
      }
    });

    t.test('one question twice in one batch: the higher seq stands, whichever arrives first', async (t) => {
      const examId = await startOne();
      const w = writer();
      t.same(await Promise.all([w.save(examId, answer(1, 1, 1)), w.save(examId, answer(1, 2, 2))]), ['saved', 'saved'], 'in order: both applied');
      t.match(await question(examId, 1), { chosen_answer_id: await answerAt(examId, 1, 2), response_seq: 2 });
      t.same(await Promise.all([w.save(examId, answer(2, 1, 2)), w.save(examId, answer(2, 2, 1))]), ['saved', 'stale'], 'the older one, late: stale');
      t.match(await question(examId, 2), { chosen_answer_id: await answerAt(examId, 2, 1), response_seq: 2 });
      t.same(await Promise.all([w.save(examId, answer(3, 1, 3)), w.save(examId, answer(3, 2, 3))]), ['saved', 'saved'], 'the same seq: both applied');
      t.match(await question(examId, 3), { chosen_answer_id: await answerAt(examId, 3, 2), response_seq: 3 }, 'the later arrival wins');
    });

    t.test('a choice older than the one saved from another page is stale, and changes nothing', async (t) => {
      const examId = await startOne();
      t.equal(await writer().save(examId, answer(1, 1, 5)), 'saved');
      t.equal(await writer().save(examId, answer(1, 2, 4)), 'stale');
      t.match(await question(examId, 1), { chosen_answer_id: await answerAt(examId, 1, 1), response_seq: 5 });
    });

    t.test('an index or a question that does not exist is invalid, and fails nothing else in its batch', async (t) => {
      const examId = await startOne();
      const answers = (JSON.parse((await question(examId, 1)).answer_order) as number[]).length;
      const w = writer();
      const outcomes = await Promise.all([
        w.save(examId, answer(1, 0, 1)),
        w.save(examId, answer(1, answers + 1, 1)),
        w.save(examId, answer(999, 1, 1)),
        w.save(examId, answer(1, 2 ** 31, 1)),
        w.save(examId, answer(Number.NaN, 1, 1)),
        w.save(examId, answer(2, 1, 1)),
      ]);
      t.same(outcomes, ['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'saved']);
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 });
    });

    t.test('a finished exam takes no answer: closed', async (t) => {
      const examId = await startOne();
      await finishExam(base.db.kysely, base.clock, examId, 'candidat');
      t.equal(await writer().save(examId, answer(1, 1, 1)), 'closed');
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 });
    });

    t.test('at its deadline an exam takes no answer: closed; a moment before, it does', async (t) => {
      const examId = await startOne();
      const { deadline_at } = await base.reader.selectFrom('exams').select('deadline_at').where('id', '=', examId).executeTakeFirstOrThrow();
      t.equal(await writer(deadline_at).save(examId, answer(1, 1, 1)), 'closed');
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 });
      const justBefore = new Date(Date.parse(deadline_at) - 1).toISOString();
      t.equal(await writer(justBefore).save(examId, answer(1, 1, 1)), 'saved');
    });

    t.test('a paused exam takes no answer: paused, even past its deadline', async (t) => {
      const examId = await startOne();
      const paused = await pauseExams(base.db.kysely, base.clock, { centreId: CENTRE, target: { examId }, reason: 'Malaise du candidat' }, tester);
      t.match(paused, { ok: true });
      t.equal(await writer().save(examId, answer(1, 1, 1)), 'paused');
      t.equal(await writer('2026-11-29T23:00:00.000Z').save(examId, answer(1, 1, 1)), 'paused');
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 });
    });

    t.test('a terminal the exam has left: detached', async (t) => {
      const examId = await startOne();
      t.equal(await writer().save(examId, answer(1, 1, 1, { generation: 1 })), 'detached');
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 });
    });

    t.test('« Je ne sais pas » and « à revoir » alone', async (t) => {
      const examId = await startOne();
      t.equal(await writer().save(examId, { position: 1, choice: { kind: 'dontKnow' }, flagged: false, seq: 1, generation: 0 }), 'saved');
      t.match(await question(examId, 1), { chosen_answer_id: null, dont_know: 1, answered_at: LATER, response_seq: 1 });
      t.equal(await writer().save(examId, answer(1, 3, 2)), 'saved');
      t.match(await question(examId, 1), { chosen_answer_id: await answerAt(examId, 1, 3), dont_know: 0 });
      t.equal(
        await writer('2026-11-29T09:06:00.000Z').save(examId, { position: 1, choice: null, flagged: true, seq: 3, generation: 0 }),
        'saved',
        'the flag alone',
      );
      t.match(
        await question(examId, 1),
        { chosen_answer_id: await answerAt(examId, 1, 3), dont_know: 0, flagged: 1, answered_at: LATER, response_seq: 3 },
        'the choice and its time unchanged',
      );
      t.equal(await writer().save(examId, { position: 1, choice: { kind: 'dontKnow' }, flagged: true, seq: 4, generation: 0 }), 'saved');
      t.match(await question(examId, 1), { chosen_answer_id: null, dont_know: 1, flagged: 1 }, '« Je ne sais pas » clears the choice');
    });
  });
}

/**
 * The pid of a backend of this database waiting for a lock — the answer writer's statement, or the
 * backend `pid` — once there is one (null once `stop.done`).
 */
async function waitingForLock(reader: Kysely<Database>, which: 'save' | { pid: number }, stop = { done: false }): Promise<number | null> {
  const filter = which === 'save' ? sql`query like ${'%update exam_questions eq%'}` : sql`pid = ${which.pid}`;
  while (!stop.done) {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and ${filter}`.execute(reader);
    if (rows[0]) return rows[0].pid;
    await sleep(10);
  }
  return null;
}

/** Which comes first: `outcome` settling, or a backend waiting for a lock (the poll then stops). */
async function firstOf(reader: Kysely<Database>, outcome: Promise<unknown>, which: 'save' | { pid: number }): Promise<string> {
  const stop = { done: false };
  const waiting = waitingForLock(reader, which, stop);
  const first = await Promise.race([outcome.then((o) => `settled first: ${String(o)}`), waiting.then(() => 'waiting')]);
  stop.done = true;
  await waiting;
  return first;
}

/** An outcome, or the error it was rejected with (attached at once: no rejection is left unhandled). */
const settled = <T>(p: Promise<T>): Promise<T | Error> => p.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));

async function holder(t: Test, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  return client;
}

if (server) {
  t.test('on PostgreSQL, with other connections at work', async (t) => {
    const base = await seeded(t, openPostgres);
    const { startOne, question, writer, reader } = base;
    const url = base.url!;

    t.test('a save racing a finish that holds the exam row waits for it, then is closed', async (t) => {
      const examId = await startOne();
      const finishing = await holder(t, url);
      await finishing.query('begin');
      await finishing.query('select id from exams where id = $1 for update', [examId]);
      const outcome = settled(writer().save(examId, answer(1, 1, 1)));
      t.equal(await firstOf(reader, outcome, 'save'), 'waiting', 'the save waits for the finish (it locks the exam row FOR SHARE)');
      await finishing.query(`update exams set finished_at = $1, finish_reason = 'candidat' where id = $2`, [LATER, examId]);
      await finishing.query('commit');
      t.equal(await outcome, 'closed', 'then sees the exam finished');
      t.match(await question(examId, 1), { chosen_answer_id: null, response_seq: 0 }, 'nothing written after the score');
    });

    t.test('a finish that comes second waits for the batch, then reads its answer', async (t) => {
      const examId = await startOne();
      const other = await startOne();
      // The batch is held on a later exam of its own, once it holds this one (it locks them in order).
      const blocking = await holder(t, url);
      await blocking.query('begin');
      await blocking.query('select id from exams where id = $1 for update', [other]);
      const w = writer();
      const outcomes = settled(Promise.all([w.save(examId, answer(1, 1, 1)), w.save(other, answer(1, 1, 1))]));
      t.not(await waitingForLock(reader, 'save'), null);
      const finishing = await holder(t, url);
      const { rows: backend } = await finishing.query<{ pid: number }>('select pg_backend_pid() as pid');
      await finishing.query('begin');
      const locked = settled(finishing.query('select id from exams where id = $1 for update', [examId]));
      t.equal(await firstOf(reader, locked, { pid: backend[0]!.pid }), 'waiting', 'the finish waits for the batch');
      await blocking.query('rollback');
      t.same(await outcomes, ['saved', 'saved']);
      t.notOk((await locked) instanceof Error);
      const { rows } = await finishing.query<{ chosen_answer_id: number | null }>(
        'select chosen_answer_id from exam_questions where exam_id = $1 and position = 1',
        [examId],
      );
      await finishing.query('rollback');
      t.equal(rows[0]?.chosen_answer_id, await base.answerAt(examId, 1, 1), 'and, once it holds the row, reads the answer');
    });

    t.test('a batch whose connection is lost rejects its saves, and the next batch is written', async (t) => {
      const examId = await startOne();
      const other = await startOne();
      const blocking = await holder(t, url);
      await blocking.query('begin');
      await blocking.query('select id from exams where id = $1 for update', [examId]);
      const w = writer();
      const lost = [settled(w.save(examId, answer(1, 1, 1))), settled(w.save(other, answer(1, 1, 1)))];
      const pid = await waitingForLock(reader, 'save');
      const next = settled(w.save(other, answer(2, 1, 1)));
      await sql`select pg_terminate_backend(${pid})`.execute(reader);
      for (const outcome of lost) t.type(await outcome, Error, 'not acknowledged');
      t.equal(await next, 'saved', 'the save that waited behind it is written');
      await blocking.query('rollback');
      t.equal(await w.save(examId, answer(1, 2, 2)), 'saved');
      t.match(await question(other, 1), { response_seq: 0 }, 'the lost batch wrote nothing');
    });

    t.test('a batch that gets no answer in time is given up, and the next batch is written', async (t) => {
      const examId = await startOne();
      const blocking = await holder(t, url);
      await blocking.query('begin');
      await blocking.query('select id from exams where id = $1 for update', [examId]);
      if (base.db.kind !== 'postgres') throw new Error('PostgreSQL expected');
      const w = new PostgresAnswerWriter(base.db.pool, new ManualClock(LATER), 50);
      t.type(await settled(w.save(examId, answer(1, 1, 1))), Error, 'not acknowledged');
      await blocking.query('rollback');
      t.equal(await w.save(examId, answer(1, 2, 2)), 'saved');
      t.match(await question(examId, 1), { chosen_answer_id: await base.answerAt(examId, 1, 2), response_seq: 2 });
    });

    t.test('a batch chosen as a deadlock victim is written again', async (t) => {
      const first = await startOne();
      const second = await startOne();
      const other = await holder(t, url);
      // The batch must be the one to notice the deadlock (after the server's 1 s): on a busy machine
      // this connection, waiting a little later, could otherwise check first and be the victim itself.
      await other.query("set deadlock_timeout = '30s'");
      await other.query('begin');
      await other.query('update exam_questions set flagged = 0 where exam_id = $1 and position = 1', [second]);
      const w = writer();
      // The batch locks both exams, writes the first question, then waits for the second one.
      const outcomes = settled(Promise.all([w.save(first, answer(1, 1, 1)), w.save(second, answer(1, 1, 1))]));
      t.not(await waitingForLock(reader, 'save'), null);
      // Which now waits for the batch: a deadlock, which PostgreSQL breaks by failing the batch's
      // statement (the first to wait is the first to check).
      await other.query('update exams set extra_minutes = extra_minutes where id = $1', [first]);
      await other.query('commit');
      t.same(await outcomes, ['saved', 'saved']);
    });
  });
}
