import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import t from 'tap';
import { DATABASE_FILE } from '../../src/db/connection.js';
import { DEMO_ADMIN_EMAIL } from '../../src/operator/seed-demo.js';
import { enrolSecondFactor } from '../helpers/agents.js';
import { ManualClock } from '../../src/clock.js';
import { Agent, createTestApp, type Teardown } from '../helpers/app.js';
import { twoCentres } from '../helpers/exam-fixtures.js';
import { pastSession } from '../helpers/past-sessions.js';
import { dropTestDatabase, MISSING_POSTGRES, openTestDatabase, startPostgres, TEST_DATABASE_KIND } from '../helpers/postgres.js';

// Each run of the CLI starts a Node process and hashes passwords: slow on a busy shared machine.
t.setTimeout(600_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Where runs of the CLI keep their data: DATA_DIR, and on PostgreSQL a database of the test's own
 * (DATABASE_URL). An empty DATABASE_URL counts as unset: a developer's own never leaks into a run.
 */
interface Place {
  dataDir: string;
  databaseUrl: string;
}

/** Runs the operator CLI as an operator would (npm run cli -- …), on `place`. */
function cli(place: Place, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      DATA_DIR: place.dataDir,
      DATABASE_URL: place.databaseUrl,
      NODE_ENV: 'test',
      ...options.env,
    },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Test = Teardown & { fail(message: string): void };

/** A data folder in `dir` and a PostgreSQL database with no table yet: the CLI migrates it. */
async function postgresPlace(t: Test, dir: string): Promise<Place> {
  const postgres = await startPostgres(t);
  if (!postgres) throw new Error(MISSING_POSTGRES);
  return { dataDir: join(dir, 'data'), databaseUrl: (await postgres.database(t)).url };
}

/** A data folder in `dir`, and on PostgreSQL a database with no table yet. */
async function emptyPlace(t: Test, dir: string): Promise<Place> {
  return TEST_DATABASE_KIND === 'postgres' ? postgresPlace(t, dir) : { dataDir: join(dir, 'data'), databaseUrl: '' };
}

/**
 * A data folder that the test apps share with the CLI: createTestApp(t, { dataDir }) opens the
 * same database. On PostgreSQL, the test app's database of that folder, made (migrated) beforehand.
 */
async function sharedPlace(t: Test, dir: string): Promise<Place> {
  const dataDir = join(dir, 'data');
  if (TEST_DATABASE_KIND === 'sqlite') return { dataDir, databaseUrl: '' };
  mkdirSync(dataDir);
  const db = await openTestDatabase(dataDir);
  await db.close();
  // Runs before the folder is removed (tap runs teardowns last registered first).
  t.teardown(() => dropTestDatabase(dataDir));
  if (db.kind !== 'postgres') throw new Error('TEST_DATABASE_URL is set: the test database is PostgreSQL');
  return { dataDir, databaseUrl: db.url };
}

/** The demo accounts' e-mails in a backup file, as its format reads back (pg_restore prints an archive's rows as SQL). */
function backedUpEmails(file: string): string[] {
  if (TEST_DATABASE_KIND === 'sqlite') {
    const copy = new SQLite(file, { readonly: true });
    try {
      return (copy.prepare('select email from accounts order by email').all() as { email: string }[]).map((r) => r.email);
    } finally {
      copy.close();
    }
  }
  // `COPY public.accounts (id, email, …) FROM stdin;`, a row a line, tab-separated, up to `\.`.
  const script = execFileSync('pg_restore', ['--data-only', '--table=accounts', '--file=-', file], { encoding: 'utf8' });
  const copy = /^COPY public\.accounts \(([^)]*)\) FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(script);
  const column = (copy?.[1] ?? '').split(', ').indexOf('email');
  const lines = (copy?.[2] ?? '').split('\n').filter(Boolean);
  return lines.map((line) => line.split('\t')[column] ?? '').sort();
}

t.test('seed-demo, generate-tokens, then backup, and a second backup to the same file is refused', async (t) => {
  const dir = tempDir(t);
  const place = await emptyPlace(t, dir);
  const seeded = cli(place, ['seed-demo']);
  t.equal(seeded.status, 0, `seed-demo succeeds (${seeded.stderr.trim()})`);
  t.match(seeded.stdout, DEMO_ADMIN_EMAIL, 'the demo logins are printed');

  const tokens = cli(place, ['generate-tokens', '--centre', 'centre0001', '--profil', 'operateur', '--count', '3']);
  t.equal(tokens.status, 0, `generate-tokens succeeds (${tokens.stderr.trim()})`);
  const [heading, ...codes] = tokens.stdout.trimEnd().split('\n');
  t.match(heading, /^Table n° \d+ : 3 jetons pour centre0001, /);
  t.equal(codes.length, 3, 'and its three codes, one a line');

  const target = join(dir, TEST_DATABASE_KIND === 'postgres' ? 'sauvegarde.dump' : 'sauvegarde.sqlite');
  const backup = cli(place, ['backup', target]);
  t.equal(backup.status, 0, `backup succeeds (${backup.stderr.trim()})`);
  t.match(backup.stdout, `Sauvegarde écrite : ${target}`);
  if (TEST_DATABASE_KIND === 'postgres') {
    t.match(execFileSync('pg_restore', ['--list', target], { encoding: 'utf8' }), 'TABLE DATA public accounts ', 'a pg_dump archive, with the accounts’ rows');
  }
  t.same(backedUpEmails(target), [DEMO_ADMIN_EMAIL, 'gestionnaire@demo.test'], 'the backup holds the demo accounts');

  const again = cli(place, ['backup', target]);
  t.equal(again.status, 1, 'a second backup to the same file fails');
  t.match(again.stderr, 'existe déjà');
});

t.test('create-admin with a password on stdin creates an account that can sign in', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  const created = cli(place, ['create-admin', 'exploitant@ministere.test', '--password-stdin', '--nom', 'Exploitant'], {
    input: 'un-mot-de-passe-solide\n',
  });
  t.equal(created.status, 0, `create-admin succeeds (${created.stderr.trim()})`);
  t.match(created.stdout, 'créé');
  t.notMatch(created.stdout, 'un-mot-de-passe-solide', 'a password given on stdin is not echoed');

  const testApp = await createTestApp(t, { dataDir: place.dataDir });
  const agent = new Agent(testApp.app);
  const res = await agent.signIn('exploitant@ministere.test', 'un-mot-de-passe-solide');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');
  await enrolSecondFactor(agent);
  t.match((await agent.get('/admin')).body, 'Exploitant');
  const audit = await testApp.db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).where('action', '=', 'compte.cree').execute();
  t.same(audit, [{ action: 'compte.cree', actor_label: 'CLI' }], 'the creation is audited');
});

t.test('create-admin without --password-stdin prints a generated password once', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  const created = cli(place, ['create-admin', 'genere@ministere.test']);
  t.equal(created.status, 0);
  const password = /Mot de passe \(à changer, affiché une seule fois\) : (\S+)/.exec(created.stdout)?.[1];
  t.ok(password && password.length >= 12, 'a long password is printed');

  const testApp = await createTestApp(t, { dataDir: place.dataDir });
  t.equal((await new Agent(testApp.app).signIn('genere@ministere.test', password ?? '')).statusCode, 303, 'and it works');
});

t.test('seed-demo draws a new demo password each time, prints it once, and refuses production without --production', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  const first = cli(place, ['seed-demo']);
  t.equal(first.status, 0, `seed-demo succeeds (${first.stderr.trim()})`);
  const passwordOf = (out: string) => /Administration nationale : admin@demo\.test \/ (\S+)/.exec(out)?.[1] ?? '';
  const password = passwordOf(first.stdout);
  t.ok(password.length >= 16, 'a random password is printed');
  t.notMatch(first.stdout, 'demo-aipr-2026', 'not the password the README used to publish');
  const second = cli(place, ['seed-demo']);
  t.equal(second.status, 0);
  const renewed = passwordOf(second.stdout);
  t.not(renewed, password, 'a second run gives a new password (the way to recover lost logins)');
  const testApp = await createTestApp(t, { dataDir: place.dataDir });
  t.equal((await new Agent(testApp.app).signIn(DEMO_ADMIN_EMAIL, renewed)).statusCode, 303, 'the printed password works');
  t.equal((await new Agent(testApp.app, '127.0.0.9').signIn(DEMO_ADMIN_EMAIL, password)).statusCode, 401, 'the previous one no longer does');
  await testApp.close(true);

  const production = await emptyPlace(t, tempDir(t));
  const refused = cli(production, ['seed-demo'], { env: { NODE_ENV: 'production' } });
  t.equal(refused.status, 1);
  t.match(refused.stderr, 'NODE_ENV=production : les données de démonstration');
  t.match(refused.stderr, '--production');
  const forced = cli(production, ['seed-demo', '--production'], { env: { NODE_ENV: 'production' } });
  t.equal(forced.status, 0, `with --production it installs (${forced.stderr.trim()})`);
});

t.test('create-admin does not turn a manager into an administrator without --promote', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  t.equal(cli(place, ['seed-demo']).status, 0, 'the demo manager exists');
  const refused = cli(place, ['create-admin', 'gestionnaire@demo.test']);
  t.equal(refused.status, 1);
  t.match(
    refused.stderr,
    'gestionnaire@demo.test est le compte d’un gestionnaire de centre. Pour en faire un compte d’administration nationale, relancez avec --promote.',
  );
  const testApp = await createTestApp(t, { dataDir: place.dataDir });
  const unchanged = await testApp.db.kysely.selectFrom('accounts').select('role').where('email', '=', 'gestionnaire@demo.test').executeTakeFirstOrThrow();
  t.equal(unchanged.role, 'manager', 'still a manager');
  await testApp.close(true);

  const promoted = cli(place, ['create-admin', 'gestionnaire@demo.test', '--promote']);
  t.equal(promoted.status, 0, `promoted with --promote (${promoted.stderr.trim()})`);
  const again = await createTestApp(t, { dataDir: place.dataDir });
  const role = await again.db.kysely.selectFrom('accounts').select('role').where('email', '=', 'gestionnaire@demo.test').executeTakeFirstOrThrow();
  t.equal(role.role, 'admin');
});

t.test('operator mistakes are explained in French with exit code 1', async (t) => {
  const dir = tempDir(t);
  const place = await emptyPlace(t, dir);

  const weak = cli(place, ['create-admin', 'faible@ministere.test', '--password-stdin'], { input: 'court\n' });
  t.equal(weak.status, 1);
  t.match(weak.stderr, 'au moins 12 caractères');

  const badEmail = cli(place, ['create-admin', 'pas-une-adresse']);
  t.equal(badEmail.status, 1);
  t.match(badEmail.stderr, 'Indiquez une adresse électronique valide');

  const noTarget = cli(place, ['backup']);
  t.equal(noTarget.status, 1);
  t.match(noTarget.stderr, 'Indiquez le fichier de destination');

  const unknown = cli(place, ['sauvegarder']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, 'Commande inconnue : sauvegarder');
  t.match(unknown.stderr, 'Usage');

  const badConfig = cli({ ...place, dataDir: join(dir, 'jamais') }, ['seed-demo'], { env: { PORT: 'abc' } });
  t.equal(badConfig.status, 1);
  t.match(badConfig.stderr, /Configuration invalide : PORT/);
  t.notOk(existsSync(join(dir, 'jamais', DATABASE_FILE)), 'nothing is written with a bad configuration');
});

t.test('a wrong DATABASE_URL is explained in French with exit code 1, and no SQLite database is made instead', async (t) => {
  const dir = tempDir(t);
  const malformed = cli({ dataDir: join(dir, 'mal-ecrite'), databaseUrl: 'mysql://aipr:Secret-De-La-Base@db.example.test/aipr' }, ['seed-demo']);
  t.equal(malformed.status, 1);
  t.match(malformed.stderr, /^Configuration invalide : DATABASE_URL doit commencer par postgres:\/\//);
  t.notMatch(malformed.stderr, 'Secret-De-La-Base', 'the password is not printed');
  t.notOk(existsSync(join(dir, 'mal-ecrite')), 'nothing is written in DATA_DIR');

  const unreachable = cli({ dataDir: join(dir, 'injoignable'), databaseUrl: 'postgres://x@127.0.0.1:1/none' }, ['seed-demo']);
  t.equal(unreachable.status, 1);
  t.match(unreachable.stderr, /^Base de données injoignable : la base PostgreSQL de DATABASE_URL ne répond pas/);
  t.notOk(existsSync(join(dir, 'injoignable')), 'nothing is written in DATA_DIR');
});

t.test('reset-second-factor removes the second factor of an administrator who lost the phone and the codes', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  t.equal(cli(place, ['create-admin', 'perdu@ministere.test', '--password-stdin'], { input: 'un-mot-de-passe-solide\n' }).status, 0);
  const first = await createTestApp(t, { dataDir: place.dataDir });
  const agent = new Agent(first.app);
  await agent.signIn('perdu@ministere.test', 'un-mot-de-passe-solide');
  await enrolSecondFactor(agent);
  t.equal((await new Agent(first.app).signIn('perdu@ministere.test', 'un-mot-de-passe-solide')).headers.location, '/connexion/code', 'enrolled');
  await first.close(true);

  const reset = cli(place, ['reset-second-factor', 'perdu@ministere.test']);
  t.equal(reset.status, 0, `reset-second-factor succeeds (${reset.stderr.trim()})`);
  t.match(reset.stdout, 'Double authentification retirée du compte perdu@ministere.test');
  const again = cli(place, ['reset-second-factor', 'perdu@ministere.test']);
  t.match(again.stdout, 'rien à retirer');
  const unknown = cli(place, ['reset-second-factor', 'personne@ministere.test']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, 'un compte existant');

  const second = await createTestApp(t, { dataDir: place.dataDir, clock: first.clock });
  const fresh = new Agent(second.app);
  const res = await fresh.signIn('perdu@ministere.test', 'un-mot-de-passe-solide');
  t.equal(res.headers.location, '/admin', 'the password alone signs in');
  const home = await fresh.get('/admin');
  t.equal(home.headers.location, '/compte/double-authentification', 'and the administrator is asked to set the second factor up again');
  const audit = await second.db.kysely.selectFrom('audit_log').select(['actor_label']).where('action', '=', 'compte.double_facteur_retire').execute();
  t.same(audit, [{ actor_label: 'CLI' }]);
});

// On any run: the PostgreSQL is the suite's (TEST_DATABASE_URL), or a throw-away cluster of its own.
t.test('backup on PostgreSQL without pg_dump says, in French, what to install', async (t) => {
  const dir = tempDir(t);
  const place = await postgresPlace(t, dir);
  // node is started by its full path: only pg_dump is missing from the PATH.
  const emptyBin = join(dir, 'bin');
  mkdirSync(emptyBin);
  const target = join(dir, 'sauvegarde.dump');
  const backup = cli(place, ['backup', target], { env: { PATH: emptyBin } });
  t.equal(backup.status, 1);
  t.match(backup.stderr, /^La base est PostgreSQL et pg_dump est introuvable : installez le client PostgreSQL \(apt-get install postgresql-client/);
  t.notOk(existsSync(target), 'no file is written');
});

t.test('purge-personal-data says what it would do with --dry-run, then anonymises, then finds nothing more', async (t) => {
  const place = await sharedPlace(t, tempDir(t));
  // The CLI runs on the system clock: the exams are built around today.
  const ctx = await twoCentres(t, { dataDir: place.dataDir, clock: new ManualClock(new Date()) });
  await pastSession(ctx, ctx.centreA, 6 * 366, [{ identity: { lastName: 'Ancien', firstName: 'Jules' } }]);
  await pastSession(ctx, ctx.centreA, 3, [{ identity: { lastName: 'Récent', firstName: 'Léa' } }]);
  await ctx.testApp.close(true);

  const dry = cli(place, ['purge-personal-data', '--dry-run']);
  t.equal(dry.status, 0, `the dry run succeeds (${dry.stderr.trim()})`);
  t.match(
    dry.stdout,
    /^Durée de conservation : 5 ans \(examens antérieurs au \d\d\/\d\d\/\d{4}\)\. À anonymiser : 1 examen le \d\d\/\d\d\/\d{4} \(rien n’a encore été modifié\)\.$/m,
  );
  const run = cli(place, ['purge-personal-data']);
  t.equal(run.status, 0, `the purge succeeds (${run.stderr.trim()})`);
  t.match(run.stdout, /Identités anonymisées : 1 examen le \d\d\/\d\d\/\d{4}\.$/m);
  t.match(cli(place, ['purge-personal-data']).stdout, 'Aucune identité à anonymiser.');

  const after = await createTestApp(t, { dataDir: place.dataDir });
  const db = after.db.kysely;
  t.same(
    (await db.selectFrom('exams').select('last_name').orderBy('id').execute()).map((r) => r.last_name),
    ['Anonymisé', 'Récent'],
  );
  const audit = await db.selectFrom('audit_log').select(['actor_label', 'details']).where('action', '=', 'donnees.identites_anonymisees').execute();
  t.same(
    audit.map((a) => [a.actor_label, (JSON.parse(a.details!) as { examens: number }).examens]),
    [['CLI', 1]],
    'one audit row, by the CLI, for the run that changed something',
  );
});
