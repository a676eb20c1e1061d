import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { type Generated, type Kysely } from 'kysely';
import t, { type Test } from 'tap';
import { openDatabaseFile, type SqliteDb } from '../../src/db/connection.js';
import { WriteGate } from '../../src/db/write-gate.js';

/**
 * The write gate (src/db/write-gate.ts): one writer at a time among the process's connections to
 * the SQLite file, the main connection's transactions and writes waiting for it without blocking the
 * event loop, and BEGIN IMMEDIATE.
 */

interface Notes {
  notes: { id: Generated<number>; text: string };
}

function open(t: Test): { db: SqliteDb; notes: Kysely<Notes>; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-gate-'));
  const file = join(dir, 'gate.sqlite');
  const db = openDatabaseFile(file);
  db.sqlite.exec('create table notes (id integer primary key, text text not null)');
  t.teardown(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, notes: db.kysely as unknown as Kysely<Notes>, file };
}

/** What another connection to the file reads: what was committed. */
function committed(file: string): string[] {
  const other = new SQLite(file, { readonly: true });
  try {
    return (other.prepare('select text from notes order by id').all() as { text: string }[]).map((row) => row.text);
  } finally {
    other.close();
  }
}

t.test('the gate is handed to its waiters in the order they asked, and is free once the last lets go', async (t) => {
  const gate = new WriteGate();
  const order: string[] = [];
  await gate.acquire();
  const second = gate.acquire().then(() => order.push('second'));
  const third = gate.acquire().then(() => order.push('third'));
  await nextTurn();
  t.same(order, [], 'nobody gets it while it is held');
  gate.release();
  await second;
  t.same(order, ['second']);
  gate.release();
  await third;
  t.same(order, ['second', 'third']);
  gate.release();
  let free = false;
  void gate.acquire().then(() => (free = true));
  await Promise.resolve();
  t.ok(free, 'free again: taken at once');
});

t.test('a write outside a transaction waits for the gate; a read does not', async (t) => {
  const { db, notes, file } = open(t);
  await db.writeGate.acquire();
  let written = false;
  const write = notes
    .insertInto('notes')
    .values({ text: 'after the gate' })
    .execute()
    .then(() => (written = true));
  const read = await notes.selectFrom('notes').select('text').execute();
  t.same(read, [], 'a read is answered while the gate is held');
  for (let i = 0; i < 5; i++) await nextTurn();
  t.notOk(written, 'the write waits');
  t.same(committed(file), []);
  db.writeGate.release();
  await write;
  t.same(committed(file), ['after the gate']);
});

t.test('a transaction waits for the gate, and lets go of it once committed', async (t) => {
  const { db, notes, file } = open(t);
  await db.writeGate.acquire();
  const trx = notes.transaction().execute(async (trx) => {
    await trx.insertInto('notes').values({ text: 'in a transaction' }).execute();
  });
  for (let i = 0; i < 5; i++) await nextTurn();
  t.same(committed(file), [], 'not begun while the gate is held');
  db.writeGate.release();
  await trx;
  t.same(committed(file), ['in a transaction']);
});

t.test('a failed transaction lets go of the gate', async (t) => {
  const { db, notes, file } = open(t);
  const err = await notes
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('notes').values({ text: 'rolled back' }).execute();
      throw new Error('refused');
    })
    .catch((e: unknown) => e);
  t.match(err, { message: 'refused' });
  t.same(committed(file), [], 'rolled back');
  let free = false;
  void db.writeGate.acquire().then(() => (free = true));
  await Promise.resolve();
  t.ok(free, 'the gate is free');
  db.writeGate.release();
});

t.test('a transaction takes SQLite’s write lock at BEGIN, before any write of its own', async (t) => {
  const { notes, file } = open(t);
  const other = new SQLite(file);
  other.pragma('busy_timeout = 0');
  t.teardown(() => other.close());
  let outcome = '';
  await notes.transaction().execute(async (trx) => {
    await trx.selectFrom('notes').select('text').execute();
    try {
      other.prepare('insert into notes (text) values (?)').run('from another connection');
      outcome = 'the other connection wrote';
    } catch (err) {
      outcome = (err as { code?: string }).code ?? String(err);
    }
    await trx.insertInto('notes').values({ text: 'ours' }).execute();
  });
  t.equal(outcome, 'SQLITE_BUSY', 'a deferred BEGIN would have let the other connection write, and then failed on its own write');
  t.same(committed(file), ['ours']);
});
