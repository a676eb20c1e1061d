import t from 'tap';
import { formatTokenCode, isTokenCode } from '../../src/domain/token-code.js';
import { retireQuestionnaire } from '../../src/areas/admin/questionnaires/lifecycle.js';
import { generateTokens } from '../../src/operator/generate-tokens.js';
import { createTestApp, type Teardown } from '../helpers/app.js';
import { insertCentre, publishDemoQuestionnaire } from '../helpers/exam-fixtures.js';

async function setup(t: Teardown) {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  await insertCentre(db, testApp.clock, { id: 1, name: 'Centre A' });
  await insertCentre(db, testApp.clock, { id: 7, name: 'Centre suspendu', status: 'suspended', suspensionReason: 'Locaux non conformes' });
  return { db, clock: testApp.clock };
}

t.test('generates N tokens for the newest published questionnaire of the profile', async (t) => {
  const { db, clock } = await setup(t);
  const v2026 = await publishDemoQuestionnaire(db, clock, 'operateur');
  clock.advance(60_000);
  const v2027 = await publishDemoQuestionnaire(db, clock, 'operateur', '2027');
  await publishDemoQuestionnaire(db, clock, 'encadrant');

  const outcome = await generateTokens(db, clock, { centreId: 'centre0001', profile: 'operateur', count: 15, actorLabel: 'CLI' });
  if (!outcome.ok) throw new Error(outcome.message);
  t.equal(outcome.centre, 'centre0001');
  t.same({ id: outcome.questionnaire.id, version: outcome.questionnaire.version }, { id: v2027, version: '2027' }, 'the newest publication');
  t.equal(outcome.codes.length, 15);
  t.ok(outcome.codes.every(isTokenCode), 'canonical codes');
  t.same(outcome.formattedCodes, outcome.codes.map(formatTokenCode), 'and their printed form');
  const rows = await db.selectFrom('exam_tokens').selectAll().where('batch_id', '=', outcome.batchId).orderBy('id').execute();
  t.same(
    rows.map((r) => r.code),
    outcome.codes,
    'stored as returned',
  );
  t.ok(rows.every((r) => r.centre_id === 1 && r.questionnaire_id === v2027 && r.status === 'available'));
  const batch = await db.selectFrom('token_batches').selectAll().where('id', '=', outcome.batchId).executeTakeFirstOrThrow();
  t.same({ size: batch.size, by: batch.created_by, centre: batch.centre_id }, { size: 15, by: 'CLI', centre: 1 });
  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'jetons.generes').executeTakeFirstOrThrow();
  t.same({ actor: audit.actor_label, target: audit.target_id }, { actor: 'CLI', target: String(outcome.batchId) });
  t.match(JSON.parse(audit.details!), { centre: 'centre0001', profil: 'operateur', version: '2027', nombre: 15 });

  await retireQuestionnaire(db, clock, v2027, { actor: { accountId: null, label: 'test' } });
  const after = await generateTokens(db, clock, { centreId: 1, profile: 'operateur', count: 1, actorLabel: 'CLI' });
  t.equal(after.ok && after.questionnaire.id, v2026, 'a retired version is skipped');
});

t.test('refuses with a French message, creating nothing', async (t) => {
  const { db, clock } = await setup(t);
  await publishDemoQuestionnaire(db, clock, 'operateur');
  const base = { centreId: 'centre0001', profile: 'operateur', count: 5, actorLabel: 'CLI' };
  const cases: [Partial<typeof base> & { centreId?: string | number }, string, string][] = [
    [{ centreId: 'centre0042' }, 'centre_unknown', 'Centre inconnu : centre0042.'],
    [{ centreId: 'C42' }, 'centre_unknown', 'Identifiant de centre invalide : C42 (attendu : centreXXXX, par exemple centre0001).'],
    [
      { centreId: 'centre0007' },
      'centre_suspended',
      'Ce centre est suspendu : aucun jeton ne peut être généré. Motif de la suspension : Locaux non conformes.',
    ],
    [{ profile: 'plombier' }, 'profile', 'Profil inconnu : plombier (attendu : concepteur, encadrant, operateur).'],
    [{ profile: 'concepteur' }, 'questionnaire', 'Aucun questionnaire Concepteur n’est publié : publiez-en un avant de générer des jetons.'],
    [{ count: 0 }, 'count', 'Le nombre de jetons doit être un nombre entier entre 1 et 500.'],
    [{ count: 501 }, 'count', 'Le nombre de jetons doit être un nombre entier entre 1 et 500.'],
    [{ count: 2.5 }, 'count', 'Le nombre de jetons doit être un nombre entier entre 1 et 500.'],
  ];
  for (const [change, reason, message] of cases) {
    t.same(await generateTokens(db, clock, { ...base, ...change }), { ok: false, reason, message }, JSON.stringify(change));
  }
  t.equal((await db.selectFrom('exam_tokens').select('id').execute()).length, 0);
  t.equal((await db.selectFrom('token_batches').select('id').execute()).length, 0);
  const ok = await generateTokens(db, clock, { ...base, count: 500 });
  t.equal(ok.ok && ok.codes.length, 500, '500 is allowed');
});
