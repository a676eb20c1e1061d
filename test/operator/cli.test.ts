import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import t from 'tap';
import { DATABASE_FILE } from '../../src/db/connection.js';
import { DEMO_ADMIN_EMAIL } from '../../src/operator/seed-demo.js';
import { enrolSecondFactor } from '../helpers/agents.js';
import { Agent, createTestApp, type Teardown } from '../helpers/app.js';

// Each run of the CLI starts a Node process and hashes passwords: slow on a busy shared machine.
t.setTimeout(300_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the operator CLI as an operator would (npm run cli -- …), on `dataDir`. */
function cli(dataDir: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATA_DIR: dataDir, NODE_ENV: 'test', ...options.env },
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

t.test('seed-demo then backup, and a second backup to the same file is refused', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const seeded = cli(dataDir, ['seed-demo']);
  t.equal(seeded.status, 0, `seed-demo succeeds (${seeded.stderr.trim()})`);
  t.match(seeded.stdout, DEMO_ADMIN_EMAIL, 'the demo logins are printed');

  const target = join(dir, 'sauvegarde.sqlite');
  const backup = cli(dataDir, ['backup', target]);
  t.equal(backup.status, 0, `backup succeeds (${backup.stderr.trim()})`);
  t.match(backup.stdout, `Sauvegarde écrite : ${target}`);
  const copy = new SQLite(target, { readonly: true });
  const emails = (copy.prepare('select email from accounts order by email').all() as { email: string }[]).map((r) => r.email);
  copy.close();
  t.same(emails, [DEMO_ADMIN_EMAIL, 'gestionnaire@demo.test'], 'the backup holds the demo accounts');

  const again = cli(dataDir, ['backup', target]);
  t.equal(again.status, 1, 'a second backup to the same file fails');
  t.match(again.stderr, 'existe déjà');
});

t.test('create-admin with a password on stdin creates an account that can sign in', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const created = cli(dataDir, ['create-admin', 'exploitant@ministere.test', '--password-stdin', '--nom', 'Exploitant'], {
    input: 'un-mot-de-passe-solide\n',
  });
  t.equal(created.status, 0, `create-admin succeeds (${created.stderr.trim()})`);
  t.match(created.stdout, 'créé');
  t.notMatch(created.stdout, 'un-mot-de-passe-solide', 'a password given on stdin is not echoed');

  const testApp = await createTestApp(t, { dataDir });
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
  const dataDir = join(tempDir(t), 'data');
  const created = cli(dataDir, ['create-admin', 'genere@ministere.test']);
  t.equal(created.status, 0);
  const password = /Mot de passe \(à changer, affiché une seule fois\) : (\S+)/.exec(created.stdout)?.[1];
  t.ok(password && password.length >= 12, 'a long password is printed');

  const testApp = await createTestApp(t, { dataDir });
  t.equal((await new Agent(testApp.app).signIn('genere@ministere.test', password ?? '')).statusCode, 303, 'and it works');
});

t.test('seed-demo draws a new demo password each time, prints it once, and refuses production without --production', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const first = cli(dataDir, ['seed-demo']);
  t.equal(first.status, 0, `seed-demo succeeds (${first.stderr.trim()})`);
  const passwordOf = (out: string) => /Administration nationale : admin@demo\.test \/ (\S+)/.exec(out)?.[1] ?? '';
  const password = passwordOf(first.stdout);
  t.ok(password.length >= 16, 'a random password is printed');
  t.notMatch(first.stdout, 'demo-aipr-2026', 'not the password the README used to publish');
  const second = cli(dataDir, ['seed-demo']);
  t.equal(second.status, 0);
  const renewed = passwordOf(second.stdout);
  t.not(renewed, password, 'a second run gives a new password (the way to recover lost logins)');
  const testApp = await createTestApp(t, { dataDir });
  t.equal((await new Agent(testApp.app).signIn(DEMO_ADMIN_EMAIL, renewed)).statusCode, 303, 'the printed password works');
  t.equal((await new Agent(testApp.app, '127.0.0.9').signIn(DEMO_ADMIN_EMAIL, password)).statusCode, 401, 'the previous one no longer does');
  await testApp.close(true);

  const production = join(tempDir(t), 'data');
  const refused = cli(production, ['seed-demo'], { env: { NODE_ENV: 'production' } });
  t.equal(refused.status, 1);
  t.match(refused.stderr, 'NODE_ENV=production : les données de démonstration');
  t.match(refused.stderr, '--production');
  const forced = cli(production, ['seed-demo', '--production'], { env: { NODE_ENV: 'production' } });
  t.equal(forced.status, 0, `with --production it installs (${forced.stderr.trim()})`);
});

t.test('create-admin does not turn a manager into an administrator without --promote', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  t.equal(cli(dataDir, ['seed-demo']).status, 0, 'the demo manager exists');
  const refused = cli(dataDir, ['create-admin', 'gestionnaire@demo.test']);
  t.equal(refused.status, 1);
  t.match(
    refused.stderr,
    'gestionnaire@demo.test est le compte d’un gestionnaire de centre. Pour en faire un compte d’administration nationale, relancez avec --promote.',
  );
  const testApp = await createTestApp(t, { dataDir });
  const unchanged = await testApp.db.kysely.selectFrom('accounts').select('role').where('email', '=', 'gestionnaire@demo.test').executeTakeFirstOrThrow();
  t.equal(unchanged.role, 'manager', 'still a manager');
  await testApp.close(true);

  const promoted = cli(dataDir, ['create-admin', 'gestionnaire@demo.test', '--promote']);
  t.equal(promoted.status, 0, `promoted with --promote (${promoted.stderr.trim()})`);
  const again = await createTestApp(t, { dataDir });
  const role = await again.db.kysely.selectFrom('accounts').select('role').where('email', '=', 'gestionnaire@demo.test').executeTakeFirstOrThrow();
  t.equal(role.role, 'admin');
});

t.test('operator mistakes are explained in French with exit code 1', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');

  const weak = cli(dataDir, ['create-admin', 'faible@ministere.test', '--password-stdin'], { input: 'court\n' });
  t.equal(weak.status, 1);
  t.match(weak.stderr, 'au moins 12 caractères');

  const badEmail = cli(dataDir, ['create-admin', 'pas-une-adresse']);
  t.equal(badEmail.status, 1);
  t.match(badEmail.stderr, 'Indiquez une adresse électronique valide');

  const noTarget = cli(dataDir, ['backup']);
  t.equal(noTarget.status, 1);
  t.match(noTarget.stderr, 'Indiquez le fichier de destination');

  const unknown = cli(dataDir, ['sauvegarder']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, 'Commande inconnue : sauvegarder');
  t.match(unknown.stderr, 'Usage');

  const badConfig = cli(join(dir, 'jamais'), ['seed-demo'], { env: { PORT: 'abc' } });
  t.equal(badConfig.status, 1);
  t.match(badConfig.stderr, /Configuration invalide : PORT/);
  t.notOk(existsSync(join(dir, 'jamais', DATABASE_FILE)), 'nothing is written with a bad configuration');
});

t.test('reset-second-factor removes the second factor of an administrator who lost the phone and the codes', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  t.equal(cli(dataDir, ['create-admin', 'perdu@ministere.test', '--password-stdin'], { input: 'un-mot-de-passe-solide\n' }).status, 0);
  const first = await createTestApp(t, { dataDir });
  const agent = new Agent(first.app);
  await agent.signIn('perdu@ministere.test', 'un-mot-de-passe-solide');
  await enrolSecondFactor(agent);
  t.equal((await new Agent(first.app).signIn('perdu@ministere.test', 'un-mot-de-passe-solide')).headers.location, '/connexion/code', 'enrolled');
  await first.close(true);

  const reset = cli(dataDir, ['reset-second-factor', 'perdu@ministere.test']);
  t.equal(reset.status, 0, `reset-second-factor succeeds (${reset.stderr.trim()})`);
  t.match(reset.stdout, 'Double authentification retirée du compte perdu@ministere.test');
  const again = cli(dataDir, ['reset-second-factor', 'perdu@ministere.test']);
  t.match(again.stdout, 'rien à retirer');
  const unknown = cli(dataDir, ['reset-second-factor', 'personne@ministere.test']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, 'un compte existant');

  const second = await createTestApp(t, { dataDir, clock: first.clock });
  const fresh = new Agent(second.app);
  const res = await fresh.signIn('perdu@ministere.test', 'un-mot-de-passe-solide');
  t.equal(res.headers.location, '/admin', 'the password alone signs in');
  const home = await fresh.get('/admin');
  t.equal(home.headers.location, '/compte/double-authentification', 'and the administrator is asked to set the second factor up again');
  const audit = await second.db.kysely.selectFrom('audit_log').select(['actor_label']).where('action', '=', 'compte.double_facteur_retire').execute();
  t.same(audit, [{ actor_label: 'CLI' }]);
});
