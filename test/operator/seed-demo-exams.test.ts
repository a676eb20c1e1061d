import t from 'tap';
import { checkTokenEntry } from '../../src/areas/kiosk/entry/token-check.js';
import { seedDemoTokensAndSession } from '../../src/operator/seed-demo-exams.js';
import { createTestApp, type Teardown } from '../helpers/app.js';
import { insertCentre, publishDemoQuestionnaire, suspendCentre } from '../helpers/exam-fixtures.js';

async function setup(t: Teardown) {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  await insertCentre(db, testApp.clock, { id: 1, name: 'Centre de démonstration' });
  const ids = [
    await publishDemoQuestionnaire(db, testApp.clock, 'concepteur'),
    await publishDemoQuestionnaire(db, testApp.clock, 'encadrant'),
    await publishDemoQuestionnaire(db, testApp.clock, 'operateur'),
  ];
  return { db, clock: testApp.clock, ids };
}

async function available(db: Awaited<ReturnType<typeof setup>>['db'], questionnaireId: number) {
  const rows = await db.selectFrom('exam_tokens').select('id').where('questionnaire_id', '=', questionnaireId).where('status', '=', 'available').execute();
  return rows.length;
}

t.test('tokens for every published questionnaire and an open session today, idempotently', async (t) => {
  const { db, clock, ids } = await setup(t);
  const first = await seedDemoTokensAndSession(db, clock, 1);
  t.equal(first.batches.length, 3, 'a batch per published questionnaire');
  t.ok(first.batches.every((b) => b.count === 30));
  for (const id of ids) t.equal(await available(db, id), 30);
  t.same(first.session && { created: first.session.created }, { created: true });
  const session = await db.selectFrom('exam_sessions').selectAll().executeTakeFirstOrThrow();
  t.same(
    { date: session.date, room: session.room, supervisor: session.supervisor, status: session.status },
    { date: '2026-11-29', room: 'Salle 1', supervisor: 'Surveillant de démonstration', status: 'open' },
  );
  const code = (await db.selectFrom('exam_tokens').select('code').executeTakeFirstOrThrow()).code;
  t.ok((await checkTokenEntry(db, clock.now(), 'centre0001', code)).ok, 'a demo token works right away');

  const second = await seedDemoTokensAndSession(db, clock, 1);
  t.same(second, { batches: [], session: { id: session.id, created: false }, warnings: [] }, 'nothing added the second time');
  t.equal((await db.selectFrom('exam_sessions').select('id').execute()).length, 1);

  // Below 20 available for one questionnaire: a new batch for that one only.
  const some = await db.selectFrom('exam_tokens').select('id').where('questionnaire_id', '=', ids[2]!).limit(11).execute();
  await db
    .updateTable('exam_tokens')
    .set({ status: 'used' })
    .where(
      'id',
      'in',
      some.map((r) => r.id),
    )
    .execute();
  const third = await seedDemoTokensAndSession(db, clock, 1);
  t.same(
    third.batches.map((b) => b.profile),
    ['operateur'],
  );
  t.equal(await available(db, ids[2]!), 49);

  // The next day, yesterday's session is over: a new one is opened.
  clock.advance(24 * 60 * 60 * 1000);
  const nextDay = await seedDemoTokensAndSession(db, clock, 1);
  t.equal(nextDay.session?.created, true);
  const sessions = await db.selectFrom('exam_sessions').select(['date', 'status']).orderBy('id').execute();
  t.same(sessions, [
    { date: '2026-11-29', status: 'closed' },
    { date: '2026-11-30', status: 'open' },
  ]);
});

t.test('a suspended demo centre gets neither tokens nor session, and is told', async (t) => {
  const { db, clock } = await setup(t);
  await suspendCentre(db, 1, 'Démonstration suspendue');
  const report = await seedDemoTokensAndSession(db, clock, 1);
  t.same(report.batches, []);
  t.equal(report.session, null);
  t.same(report.warnings, [
    'Ce centre est suspendu : aucun jeton ne peut être généré. Motif de la suspension : Démonstration suspendue.',
    'Le centre centre0001 est suspendu : aucune session de démonstration n’a été ouverte.',
  ]);
});
