/**
 * Signed-in agents: the demo's administrator and manager (on an app created with `seed: true`), or
 * accounts of a test's own.
 */
import type { Role } from '../../src/db/schema.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { upsertAccountWithPassword } from '../../src/services/accounts/accounts.js';
import { Agent, type TestApp, DEMO_PASSWORD } from './app.js';

/** The password of the accounts created by createAccount. */
export const TEST_PASSWORD = 'mot-de-passe-de-test-2026';

/**
 * Signs in through the form and follows the redirect to the home page of the account, as a browser
 * does: the agent then holds a CSRF token of the new session (the sign-in page's one died with the
 * old session). Throws when the sign-in is refused.
 */
export async function signedInAgent(testApp: Pick<TestApp, 'app'>, email: string, options: { password?: string; ip?: string } = {}): Promise<Agent> {
  const agent = new Agent(testApp.app, options.ip);
  const res = await agent.signIn(email, options.password ?? TEST_PASSWORD);
  if (res.statusCode !== 303) throw new Error(`sign-in of ${email} refused: ${res.statusCode}`);
  const home = await agent.get(String(res.headers.location));
  if (home.statusCode !== 200) throw new Error(`home page of ${email}: ${home.statusCode}`);
  return agent;
}

/** The demo's national administrator. */
export function adminAgent(testApp: Pick<TestApp, 'app'>, options: { ip?: string } = {}): Promise<Agent> {
  return signedInAgent(testApp, DEMO_ADMIN_EMAIL, { password: DEMO_PASSWORD, ip: options.ip });
}

/** The demo's manager, of centre0001. */
export function managerAgent(testApp: Pick<TestApp, 'app'>, options: { ip?: string } = {}): Promise<Agent> {
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
