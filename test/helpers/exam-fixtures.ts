import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/schema.js';
import { importQuestionnaire } from '../../src/areas/admin/questionnaires/lifecycle.js';
import { DEMO_DIR } from '../../src/paths.js';
import { accountAgent } from './agents.js';
import { createTestApp, type Agent, type Teardown, type TestApp, type TestAppOptions } from './app.js';

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

/** The demo bank of a profile, imported and published; returns its id. */
export async function publishDemoQuestionnaire(db: Kysely<Database>, clock: Clock, profile = 'operateur', version?: string): Promise<number> {
  let text = readFileSync(join(DEMO_DIR, 'questionnaires', `${profile}.json`), 'utf8');
  if (version) text = JSON.stringify({ ...(JSON.parse(text) as object), version });
  const outcome = await importQuestionnaire(db, clock, { format: 'json', text }, { publish: true, actor: { accountId: null, label: 'test' } });
  if (!outcome.ok) throw new Error(`demo bank refused: ${JSON.stringify(outcome.errors)}`);
  return outcome.questionnaireId;
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

/** Two active centres (centre0001 and centre0002), a manager signed in for each, the operator bank published. */
export async function twoCentres(t: Teardown, options: Omit<TestAppOptions, 'seed'> = {}): Promise<TwoCentres> {
  const testApp = await createTestApp(t, options);
  const db = testApp.db.kysely;
  const centreA = await insertCentre(db, testApp.clock, { id: 1, name: 'Centre A de Lyon' });
  const centreB = await insertCentre(db, testApp.clock, { id: 2, name: 'Centre B de Lille' });
  const questionnaireId = await publishDemoQuestionnaire(db, testApp.clock);
  const managerA = await accountAgent(testApp, { email: MANAGER_A, role: 'manager', centres: [centreA] });
  const managerB = await accountAgent(testApp, { email: MANAGER_B, role: 'manager', centres: [centreB] });
  return { testApp, db, centreA, centreB, questionnaireId, managerA, managerB };
}
