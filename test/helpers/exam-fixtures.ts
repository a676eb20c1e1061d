import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/schema.js';
import { upsertAccountWithPassword } from '../../src/services/accounts/accounts.js';
import { importQuestionnaire } from '../../src/areas/admin/questionnaires/lifecycle.js';
import { DEMO_DIR } from '../../src/paths.js';
import { Agent, createTestApp, type TestApp } from './app.js';

export const PASSWORD = 'mot-de-passe-de-test-2026';
export const MANAGER_A = 'gestionnaire.a@centre.test';
export const MANAGER_B = 'gestionnaire.b@centre.test';

/** A recognised centre, inserted directly (the admin pages that create them are another feature). */
export async function insertCentre(
  db: Kysely<Database>,
  clock: Clock,
  centre: { id: number; name: string; status?: 'active' | 'suspended'; suspensionReason?: string | null },
): Promise<number> {
  await db
    .insertInto('centres')
    .values({
      id: centre.id,
      name: centre.name,
      address: `${centre.id} rue des Essais, 69001 Lyon`,
      siret: '73282932000074',
      contact_email: `contact${centre.id}@centre.test`,
      status: centre.status ?? 'active',
      suspension_reason: centre.suspensionReason ?? null,
      created_at: clock.now().toISOString(),
    })
    .execute();
  return centre.id;
}

export async function suspendCentre(db: Kysely<Database>, centreId: number, reason: string): Promise<void> {
  await db.updateTable('centres').set({ status: 'suspended', suspension_reason: reason }).where('id', '=', centreId).execute();
}

export async function createManager(db: Kysely<Database>, clock: Clock, email: string, centreIds: number[]): Promise<number> {
  const { id } = await upsertAccountWithPassword(db, clock, { email, displayName: `Gestionnaire ${email}`, role: 'manager', password: PASSWORD });
  for (const centreId of centreIds) {
    await db.insertInto('account_centres').values({ account_id: id, centre_id: centreId }).onConflict((oc) => oc.doNothing()).execute();
  }
  return id;
}

/** The demo bank of a profile, imported and published; returns its id. */
export async function publishDemoQuestionnaire(db: Kysely<Database>, clock: Clock, profile = 'operateur', version?: string): Promise<number> {
  let text = readFileSync(join(DEMO_DIR, 'questionnaires', `${profile}.json`), 'utf8');
  if (version) text = JSON.stringify({ ...(JSON.parse(text) as object), version });
  const outcome = await importQuestionnaire(db, clock, { format: 'json', text }, { publish: true, actor: { accountId: null, label: 'test' } });
  if (!outcome.ok) throw new Error(`demo bank refused: ${JSON.stringify(outcome.errors)}`);
  return outcome.questionnaireId;
}

export async function signedIn(app: TestApp['app'], email: string): Promise<Agent> {
  const agent = new Agent(app);
  const res = await agent.signIn(email, PASSWORD);
  if (res.statusCode !== 303) throw new Error(`sign-in of ${email} failed: ${res.statusCode}`);
  return agent;
}

export interface TwoCentres {
  testApp: TestApp;
  db: Kysely<Database>;
  centreA: number;
  centreB: number;
  questionnaireId: number;
  managerA: Agent;
  managerB: Agent;
}

/** Two active centres (centre0001 and centre0002), a manager for each, the operator bank published. */
export async function twoCentres(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof createTestApp>[0] = {}): Promise<TwoCentres> {
  const testApp = await createTestApp(options);
  t.teardown(() => testApp.close());
  const db = testApp.db.kysely;
  const centreA = await insertCentre(db, testApp.clock, { id: 1, name: 'Centre A de Lyon' });
  const centreB = await insertCentre(db, testApp.clock, { id: 2, name: 'Centre B de Lille' });
  await createManager(db, testApp.clock, MANAGER_A, [centreA]);
  await createManager(db, testApp.clock, MANAGER_B, [centreB]);
  const questionnaireId = await publishDemoQuestionnaire(db, testApp.clock);
  const managerA = await signedIn(testApp.app, MANAGER_A);
  const managerB = await signedIn(testApp.app, MANAGER_B);
  return { testApp, db, centreA, centreB, questionnaireId, managerA, managerB };
}

/** The text of the page's alerts and error messages, tags removed, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function h1(html: string): string | null {
  return /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() ?? null;
}
