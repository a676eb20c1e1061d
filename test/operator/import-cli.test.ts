/**
 * The operator's side of question banks (issue 3): `npm run cli -- import-questionnaire …` run as
 * a real process against a DATA_DIR, and seed-demo's three published demo banks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { openDatabase, openDatabaseUrl, type Db } from '../../src/db/connection.js';
import type { Database } from '../../src/db/schema.js';
import { PROFILES } from '../../src/domain/profiles.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { createTestApp, DEMO_PASSWORD, type Teardown } from '../helpers/app.js';
import { MISSING_POSTGRES, startPostgres, TEST_DATABASE_KIND } from '../helpers/postgres.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/banks/${name}`, import.meta.url));
const demoFile = (profile: string) => join(ROOT, 'demo', 'questionnaires', `${profile}.json`);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Where the CLI keeps its data: DATA_DIR, and on PostgreSQL a database of the test's own
 * (DATABASE_URL; an empty one counts as unset, so that a developer's own never leaks into a run).
 */
interface Place {
  dataDir: string;
  databaseUrl: string;
}

/** A new data folder, and on PostgreSQL a database with no table yet: the CLI migrates it. */
async function emptyPlace(t: Teardown & { fail(message: string): void }): Promise<Place> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  if (TEST_DATABASE_KIND === 'sqlite') return { dataDir, databaseUrl: '' };
  const postgres = await startPostgres(t);
  if (!postgres) throw new Error(MISSING_POSTGRES);
  return { dataDir, databaseUrl: (await postgres.database(t)).url };
}

/** `npx tsx src/cli.ts <args>` on `place`, as an operator would run it. */
function runCli(place: Place, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: place.dataDir, DATABASE_URL: place.databaseUrl, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function countRows(db: Db, table: keyof Database): Promise<number> {
  return (
    await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
}

async function bankCounts(db: Db) {
  return {
    questionnaires: await countRows(db, 'questionnaires'),
    questions: await countRows(db, 'questions'),
    answers: await countRows(db, 'answers'),
    audit_log: await countRows(db, 'audit_log'),
  };
}

/** Reads the CLI's database between runs, never while a run holds it. */
async function withDb<T>(place: Place, read: (db: Db) => T | Promise<T>): Promise<T> {
  const db = place.databaseUrl ? await openDatabaseUrl(place.databaseUrl, { poolSize: 1 }) : openDatabase(place.dataDir);
  try {
    return await read(db);
  } finally {
    await db.close();
  }
}

t.test('import-questionnaire: JSON with --publish, CSV with --entete, and a bad bank refused with every error', async (t) => {
  const place = await emptyPlace(t);

  // 1. A demo bank, published in the same step.
  const json = await runCli(place, ['import-questionnaire', demoFile('operateur'), '--publish']);
  t.equal(json.code, 0, `JSON import exits 0 (stderr: ${json.stderr})`);
  t.equal(json.stdout.trim(), 'Banque importée (questionnaire n° 1) et publiée.');
  const demo = JSON.parse(readFileSync(demoFile('operateur'), 'utf8')) as { version: string; titre: string; questions: unknown[] };
  await withDb(place, async (db) => {
    const row = await db.kysely.selectFrom('questionnaires').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    t.same([row.profile, row.version, row.title, row.status], ['operateur', demo.version, demo.titre, 'published']);
    t.ok(row.published_at, 'published_at is set');
    t.equal(await countRows(db, 'questions'), demo.questions.length, 'every question stored');
    const audit = await db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).orderBy('id').execute();
    t.same(audit, [
      { action: 'questionnaire.importe', actor_label: 'CLI' },
      { action: 'questionnaire.publie', actor_label: 'CLI' },
    ]);
  });

  // 2. A CSV bank beside its JSON header, both starting with a BOM, left as a draft.
  const csv = await runCli(place, ['import-questionnaire', fixture('operateur-csv.csv'), '--entete', fixture('operateur-csv-entete.json')]);
  t.equal(csv.code, 0, `CSV import exits 0 (stderr: ${csv.stderr})`);
  t.equal(csv.stdout.trim(), 'Banque importée (questionnaire n° 2) en brouillon.');
  await withDb(place, async (db) => {
    const row = await db.kysely.selectFrom('questionnaires').selectAll().where('id', '=', 2).executeTakeFirstOrThrow();
    t.same([row.profile, row.version, row.title, row.status], ['operateur', '2025-csv', 'QCM Opérateur (CSV)', 'draft']);
    const codes = await db.kysely.selectFrom('questions').select('code').where('questionnaire_id', '=', 2).orderBy('position').execute();
    t.same(
      codes.map((c) => c.code),
      ['CSV-001', 'CSV-002', 'CSV-003', 'CSV-004', 'CSV-005', 'CSV-006'],
    );
  });

  // 3. A bank with five errors: refused whole, every error on stderr, exit code 1.
  const before = await withDb(place, bankCounts);
  const bad = await runCli(place, ['import-questionnaire', fixture('several-errors.json'), '--publish']);
  t.equal(bad.code, 1, 'a refused bank exits 1');
  t.equal(bad.stdout, '', 'nothing on stdout');
  t.same(bad.stderr.trimEnd().split('\n'), [
    "Banque refusée (5 erreurs), rien n'a été enregistré :",
    '  - profil : Profil inconnu « pilote » : les profils possibles sont concepteur, encadrant, operateur.',
    '  - question ER-002 : Aucune réponse n’est marquée correcte : il en faut exactement une.',
    '  - question ER-003 : Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
    '  - question ER-002 : Le code « ER-002 » est en double : la question n° 4 reprend le code de la question n° 2.',
    '  - question ER-005 : Champ obligatoire « enonce » manquant.',
  ]);
  t.same(await withDb(place, bankCounts), before, 'the database is unchanged');
});

t.test('import-questionnaire refuses to import the same profile and version again', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // The first import goes through the same code in-process, to keep to one slow spawn.
  const testApp = await createTestApp(t, { dataDir, seed: true });
  await testApp.close(true);
  // The test app's database: its own on PostgreSQL (dropped when the test ends), the folder's SQLite file otherwise.
  const place = { dataDir, databaseUrl: testApp.db.kind === 'postgres' ? testApp.db.url : '' };

  const before = await withDb(place, bankCounts);
  const again = await runCli(place, ['import-questionnaire', demoFile('concepteur')]);
  t.equal(again.code, 1);
  t.same(again.stderr.trimEnd().split('\n'), [
    "Banque refusée (1 erreur), rien n'a été enregistré :",
    '  - version : La version « 2026 » du questionnaire Concepteur existe déjà. Une correction se publie sous un nouveau numéro de version.',
  ]);
  t.same(await withDb(place, bankCounts), before, 'the database is unchanged');
});

// ——— seed-demo ————————————————————————————————————————————————————————————————————

/** Every table's row count, except the log-like ones that a run is expected to add to. */
async function dataCounts(db: Db): Promise<Record<string, number>> {
  const tables = (await db.kysely.introspection.getTables()).filter((table) => !table.isView).map((table) => table.name as keyof Database);
  const counts: Record<string, number> = {};
  for (const name of tables.sort()) {
    if (['audit_log', 'http_sessions', 'sign_in_throttle'].includes(name)) continue;
    counts[name] = await countRows(db, name);
  }
  return counts;
}

t.test('seed-demo leaves exactly three published demo versions, one per profile, and a second run changes nothing', async (t) => {
  const { db, clock } = await createTestApp(t);

  const logins = await seedDemo(db.kysely, clock, DEMO_PASSWORD);
  const titles = PROFILES.map((p) => (JSON.parse(readFileSync(demoFile(p), 'utf8')) as { titre: string }).titre);
  t.same(logins.questionnaires, titles, 'the three demo titles are reported');

  const questionnaires = await db.kysely.selectFrom('questionnaires').selectAll().orderBy('profile').execute();
  t.equal(questionnaires.length, 3, 'exactly three versions');
  t.same(
    questionnaires.map((q) => [q.profile, q.version, q.status]),
    PROFILES.map((p) => [p, (JSON.parse(readFileSync(demoFile(p), 'utf8')) as { version: string }).version, 'published']),
    'one published version per profile',
  );
  for (const q of questionnaires) {
    const demo = JSON.parse(readFileSync(demoFile(q.profile), 'utf8')) as { questions: unknown[] };
    const questions = await db.kysely.selectFrom('questions').select('id').where('questionnaire_id', '=', q.id).execute();
    t.equal(questions.length, demo.questions.length, `${q.profile}: the whole demo bank`);
  }

  const first = {
    counts: await dataCounts(db),
    questionnaires,
    questions: await db.kysely.selectFrom('questions').selectAll().orderBy('id').execute(),
    answers: await db.kysely.selectFrom('answers').selectAll().orderBy('id').execute(),
  };
  const bankAuditBefore = await db.kysely.selectFrom('audit_log').select('id').where('action', 'like', 'questionnaire.%').execute();

  clock.advance(5 * 60_000);
  const again = await seedDemo(db.kysely, clock, DEMO_PASSWORD);
  t.same(again.questionnaires, titles);
  t.same(await dataCounts(db), first.counts, 'same number of rows in every table');
  t.same(
    await db.kysely.selectFrom('questionnaires').selectAll().orderBy('profile').execute(),
    first.questionnaires,
    'the questionnaires are untouched (publication dates included)',
  );
  t.same(await db.kysely.selectFrom('questions').selectAll().orderBy('id').execute(), first.questions, 'the questions are untouched');
  t.same(await db.kysely.selectFrom('answers').selectAll().orderBy('id').execute(), first.answers, 'the answers are untouched');
  const bankAuditAfter = await db.kysely.selectFrom('audit_log').select('id').where('action', 'like', 'questionnaire.%').execute();
  t.equal(bankAuditAfter.length, bankAuditBefore.length, 'no questionnaire imported or published again');
});
