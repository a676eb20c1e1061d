import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { formatCentreId } from '../domain/centre-id.js';
import { CLI_ACTOR, recordAudit } from '../services/audit.js';
import { upsertAccountWithPassword } from '../services/accounts/accounts.js';
import { describeBankError } from '../domain/bank/index.js';
import { PROFILES } from '../domain/profiles.js';
import { importQuestionnaire } from '../areas/admin/questionnaires/lifecycle.js';
import { DEMO_DIR } from '../paths.js';
import { formatTokenCode } from '../domain/token-code.js';
import { PROFILE_LABELS } from '../domain/profiles.js';
import { seedDemoTokensAndSession } from './seed-demo-exams.js';
import { seedDemoHistory } from './seed-demo-history.js';
import { advancePastExplicitIds } from '../db/portable.js';

export const DEMO_ADMIN_EMAIL = 'admin@demo.test';
export const DEMO_MANAGER_EMAIL = 'gestionnaire@demo.test';
const DEMO_CENTRE_ID = 1;

export interface DemoLogins {
  centre: string;
  questionnaires: string[];
  /** One available token per published questionnaire, to try the kiosk at once. */
  sampleTokens: { profile: string; code: string }[];
  warnings: string[];
  admin: { email: string; password: string };
  manager: { email: string; password: string };
  /** The past session with finished exams (seeded when `history`), for results and attestations. */
  historySessionId: number | null;
}

/**
 * A new password for the demo accounts, printed once at seeding: a platform started with the demo
 * data must not open with a password everyone can read in the README (96 random bits).
 */
export function generateDemoPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Idempotent: running it again resets the demo passwords (to `password`) and adds only what is missing. `history`
 * adds a past session with finished exams and the centre's signatory (what a person trying the
 * platform needs to see results and print attestations); tests leave it out and build their own.
 */
export async function seedDemo(db: Kysely<Database>, clock: Clock, password: string, options: { history?: boolean } = {}): Promise<DemoLogins> {
  const now = clock.now().toISOString();
  const centre = await db.selectFrom('centres').select('id').where('id', '=', DEMO_CENTRE_ID).executeTakeFirst();
  if (!centre) {
    await db
      .insertInto('centres')
      .values({
        id: DEMO_CENTRE_ID,
        name: 'Centre de démonstration AIPR',
        address: '1 rue de la Démonstration, 75001 Paris',
        siret: '73282932000074',
        contact_email: 'contact@demo.test',
        status: 'active',
        created_at: now,
      })
      .execute();
    await advancePastExplicitIds(db, 'centres');
  }
  await upsertAccountWithPassword(db, clock, { email: DEMO_ADMIN_EMAIL, displayName: 'Administration (démo)', role: 'admin', password });
  const manager = await upsertAccountWithPassword(db, clock, {
    email: DEMO_MANAGER_EMAIL,
    displayName: 'Gestionnaire (démo)',
    role: 'manager',
    password,
  });
  await db
    .insertInto('account_centres')
    .values({ account_id: manager.id, centre_id: DEMO_CENTRE_ID })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const questionnaires = await seedDemoQuestionnaires(db, clock);
  const exams = await seedDemoTokensAndSession(db, clock, DEMO_CENTRE_ID);
  const history = options.history ? await seedDemoHistory(db, clock, DEMO_CENTRE_ID) : { sessionId: null };
  const sampleTokens = await sampleAvailableTokens(db, DEMO_CENTRE_ID);
  await recordAudit(db, clock, { action: 'demo.initialisee', actor: CLI_ACTOR });
  return {
    centre: formatCentreId(DEMO_CENTRE_ID),
    questionnaires,
    sampleTokens,
    warnings: exams.warnings,
    admin: { email: DEMO_ADMIN_EMAIL, password },
    manager: { email: DEMO_MANAGER_EMAIL, password },
    historySessionId: history.sessionId,
  };
}

async function sampleAvailableTokens(db: Kysely<Database>, centreId: number) {
  const rows = await db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select(['q.profile', (eb) => eb.fn.min('t.code').as('code')])
    .where('t.centre_id', '=', centreId)
    .where('t.status', '=', 'available')
    .where('q.status', '=', 'published')
    .groupBy('q.profile')
    .orderBy('q.profile')
    .execute();
  return rows.map((r) => ({ profile: PROFILE_LABELS[r.profile], code: formatTokenCode(String(r.code)) }));
}

/** The three demo banks (demo/questionnaires/), imported and published unless already there. */
async function seedDemoQuestionnaires(db: Kysely<Database>, clock: Clock): Promise<string[]> {
  const titles: string[] = [];
  for (const profile of PROFILES) {
    const text = readFileSync(join(DEMO_DIR, 'questionnaires', `${profile}.json`), 'utf8');
    const { version, titre } = JSON.parse(text) as { version: string; titre: string };
    titles.push(titre);
    const existing = await db.selectFrom('questionnaires').select('id').where('profile', '=', profile).where('version', '=', version).executeTakeFirst();
    if (existing) continue;
    const outcome = await importQuestionnaire(db, clock, { format: 'json', text }, { publish: true, actor: CLI_ACTOR });
    if (!outcome.ok) throw new Error(`Banque de démonstration ${profile} refusée : ${outcome.errors.map(describeBankError).join(' ; ')}`);
  }
  return titles;
}

export function describeDemoLogins(logins: DemoLogins, url: string): string {
  return [
    `Données de démonstration prêtes (centre ${logins.centre} ; questionnaires publiés : ${logins.questionnaires.join(', ')}).`,
    `  Connexion : ${url}/connexion`,
    `  Administration nationale : ${logins.admin.email} / ${logins.admin.password}`,
    `  Gestionnaire de centre   : ${logins.manager.email} / ${logins.manager.password}`,
    `  Candidats : ${url}/examen — le poste est d'abord admis avec le code de session (gestionnaire, page de la session ouverte aujourd'hui),`,
    `      puis centre ${logins.centre} et un jeton, par exemple :`,
    ...logins.sampleTokens.map((t) => `      ${t.profile} : ${t.code}`),
    ...(logins.historySessionId
      ? [
          `  Historique : une session passée (3 admis, 2 non admis, un examen annulé) : attestations et procès-verbal sur ${url}/centre/sessions/${logins.historySessionId}`,
        ]
      : []),
    ...logins.warnings.map((w) => `  Attention : ${w}`),
  ].join('\n');
}
