import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DATABASE_FILE, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

t.test('the data folder and the database are private to the server’s user', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'qcm-aipr-modes-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = join(parent, 'data');
  const db = openDatabase(dataDir);
  await migrateToLatest(db.kysely);
  await db.kysely
    .insertInto('audit_log')
    .values({
      at: new Date().toISOString(),
      actor_label: 'test',
      action: 'test.ecriture',
      actor_account_id: null,
      target_type: null,
      target_id: null,
      details: null,
      ip: null,
    })
    .execute();
  t.equal(statSync(dataDir).mode & 0o777, 0o700, 'the folder: 0700');
  t.equal(statSync(join(dataDir, DATABASE_FILE)).mode & 0o777, 0o600, 'the database: 0600');
  t.equal(statSync(join(dataDir, `${DATABASE_FILE}-wal`)).mode & 0o077, 0, 'its write-ahead log: no access for others');
  await db.close();
});

t.test('an existing database readable by all is made private on the next start', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'qcm-aipr-modes-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const first = openDatabase(parent);
  await first.close();
  const { chmodSync } = await import('node:fs');
  chmodSync(join(parent, DATABASE_FILE), 0o644);
  chmodSync(parent, 0o755);
  const again = openDatabase(parent);
  t.equal(statSync(join(parent, DATABASE_FILE)).mode & 0o777, 0o600);
  t.equal(statSync(parent).mode & 0o777, 0o700);
  await again.close();
});
