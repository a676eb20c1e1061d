/**
 * Signed-in agents: the demo's administrator and manager (on an app created with `seed: true`), or
 * accounts of a test's own.
 */
import type { Role } from '../../src/db/schema.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { ENROLMENT_PATH } from '../../src/plugins/auth.js';
import { upsertAccountWithPassword } from '../../src/services/accounts/accounts.js';
import { currentTotp } from '../../src/services/accounts/second-factor.js';
import { Agent, type TestApp, DEMO_PASSWORD } from './app.js';
import { decodeEntities } from './html.js';

type SignInApp = Pick<TestApp, 'app'>;

/** The password of the accounts created by createAccount. */
export const TEST_PASSWORD = 'mot-de-passe-de-test-2026';

/**
 * The code the account's authenticator app shows now. A code works once (its time step is kept):
 * tests sign the same account in several times at one instant of the test clock, so the helper
 * forgets the last step used first — a shortcut only tests take.
 */
export async function freshTotp(testApp: SignInApp, email: string): Promise<string> {
  const db = testApp.app.db;
  const row = await db.selectFrom('accounts').select(['id', 'totp_secret']).where('email', '=', email).executeTakeFirstOrThrow();
  if (!row.totp_secret) throw new Error(`${email} has no second factor`);
  await db.updateTable('accounts').set({ totp_last_step: null }).where('id', '=', row.id).execute();
  return currentTotp(row.totp_secret, testApp.app.clock);
}

/** Enrols the signed-in agent's second factor through the enrolment page, as its owner would with a phone. Returns the secret. */
export async function enrolSecondFactor(agent: Agent): Promise<string> {
  const page = await agent.get(ENROLMENT_PATH);
  const shown = /class="app-enrolment-secret">([^<]+)</.exec(page.body);
  if (page.statusCode !== 200 || !shown) throw new Error(`enrolment page: ${page.statusCode}`);
  const secret = decodeEntities(shown[1]!).replace(/\s/g, '');
  const res = await agent.post(ENROLMENT_PATH, { code: currentTotp(secret, agent.app.clock) });
  if (res.statusCode !== 200) throw new Error(`enrolment refused: ${res.statusCode}`);
  return secret;
}

/**
 * Signs in through the forms and follows the redirects to the home page of the account, as a
 * browser does: the code of the second factor when the account has one, the enrolment first for an
 * administrator who has none yet. The agent then holds a CSRF token of the new session (the
 * sign-in page's one died with the old session). Throws when the sign-in is refused.
 */
export async function signedInAgent(testApp: SignInApp, email: string, options: { password?: string; ip?: string } = {}): Promise<Agent> {
  const agent = new Agent(testApp.app, options.ip);
  let res = await agent.signIn(email, options.password ?? TEST_PASSWORD);
  if (res.statusCode !== 303) throw new Error(`sign-in of ${email} refused: ${res.statusCode}`);
  if (res.headers.location === '/connexion/code') {
    await agent.get('/connexion/code');
    res = await agent.post('/connexion/code', { code: await freshTotp(testApp, email) });
    if (res.statusCode !== 303) throw new Error(`code of ${email} refused: ${res.statusCode}`);
  }
  const destination = String(res.headers.location);
  let home = await agent.get(destination);
  if (home.statusCode === 303 && home.headers.location === ENROLMENT_PATH) {
    await enrolSecondFactor(agent);
    home = await agent.get(destination);
  }
  if (home.statusCode !== 200) throw new Error(`home page of ${email}: ${home.statusCode}`);
  return agent;
}

/** The demo's national administrator. */
export function adminAgent(testApp: SignInApp, options: { ip?: string } = {}): Promise<Agent> {
  return signedInAgent(testApp, DEMO_ADMIN_EMAIL, { password: DEMO_PASSWORD, ip: options.ip });
}

/** The demo's manager, of centre0001. */
export function managerAgent(testApp: SignInApp, options: { ip?: string } = {}): Promise<Agent> {
  return signedInAgent(testApp, DEMO_MANAGER_EMAIL, { password: DEMO_PASSWORD, ip: options.ip });
}

/** An account with TEST_PASSWORD (its password reset if it exists); a manager is linked to `centres`. Returns its id. */
export async function createAccount(testApp: Pick<TestApp, 'db' | 'clock'>, account: { email: string; role: Role; centres?: number[] }): Promise<number> {
  const db = testApp.db.kysely;
  const displayName = `${account.role === 'admin' ? 'Administration' : 'Gestionnaire'} ${account.email}`;
  const { id } = await upsertAccountWithPassword(db, testApp.clock, { email: account.email, displayName, role: account.role, password: TEST_PASSWORD });
  for (const centreId of account.centres ?? []) {
    await db
      .insertInto('account_centres')
      .values({ account_id: id, centre_id: centreId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return id;
}

/** createAccount, then signed in. */
export async function accountAgent(
  testApp: Pick<TestApp, 'app' | 'db' | 'clock'>,
  account: { email: string; role: Role; centres?: number[]; ip?: string },
): Promise<Agent> {
  await createAccount(testApp, account);
  return signedInAgent(testApp, account.email, { ip: account.ip });
}
