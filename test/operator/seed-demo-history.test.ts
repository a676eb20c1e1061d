import t from 'tap';
import {
  DEMO_HISTORY_CANCEL_REASON,
  DEMO_HISTORY_NOTE,
  DEMO_HISTORY_PAUSE_REASON,
  DEMO_HISTORY_ROOM,
  DEMO_HISTORY_SUPERVISOR,
  DEMO_SIGNATORY,
} from '../../src/operator/seed-demo-history.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { createTestApp, DEMO_PASSWORD } from '../helpers/app.js';

t.test('the demo history: a closed session a week ago with three admitted and two failed candidates, each with an attestation number', async (t) => {
  const { db: handle, clock } = await createTestApp(t);
  const db = handle.kysely;
  const logins = await seedDemo(db, clock, DEMO_PASSWORD, { history: true });
  t.ok(logins.historySessionId, 'the past session is reported');
  const session = await db.selectFrom('exam_sessions').selectAll().where('id', '=', logins.historySessionId!).executeTakeFirstOrThrow();
  t.same(
    { date: session.date, room: session.room, supervisor: session.supervisor, status: session.status },
    { date: '2026-11-22', room: DEMO_HISTORY_ROOM, supervisor: DEMO_HISTORY_SUPERVISOR, status: 'closed' },
    'seven days before the clock (2026-11-29), closed',
  );
  const exams = await db
    .selectFrom('exams as e')
    .innerJoin('attestations as a', 'a.exam_id', 'e.id')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select(['e.last_name', 'e.passed', 'e.score', 'e.maximum', 'e.finished_at', 'q.profile', 'a.kind', 'a.number'])
    .where('e.exam_session_id', '=', session.id)
    .orderBy('e.id')
    .execute();
  t.same(
    exams.map((e) => [e.last_name, e.profile, e.passed, e.kind]),
    [
      ['Marchand', 'operateur', 1, 'admis'],
      ['Lefèbvre', 'encadrant', 1, 'admis'],
      ['Dubois', 'concepteur', 1, 'admis'],
      ['Girard', 'operateur', 0, 'echec'],
      ['Roche', 'encadrant', 0, 'echec'],
    ],
  );
  t.ok(
    exams.every((e) => e.finished_at!.startsWith('2026-11-22')),
    'finished that day',
  );
  t.ok(
    exams.filter((e) => e.passed === 1).every((e) => e.score === e.maximum),
    'the admitted answered everything right',
  );
  t.ok(
    exams.every((e) => /^AIPR-2026-(?:[A-Z0-9]{4}-){3}[A-Z0-9]{4}$/.test(e.number)),
    'numbers of the exam year',
  );
  const centre = await db.selectFrom('centres').select(['representative_name', 'representative_title', 'town']).where('id', '=', 1).executeTakeFirstOrThrow();
  t.same(centre, {
    representative_name: DEMO_SIGNATORY.representative_name,
    representative_title: DEMO_SIGNATORY.representative_title,
    town: DEMO_SIGNATORY.town,
  });

  const again = await seedDemo(db, clock, DEMO_PASSWORD, { history: true });
  t.equal(again.historySessionId, null, 'nothing added the second time');
  const count = await db
    .selectFrom('exams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 6, 'five with an attestation, and the cancelled one');
});

t.test('the demo history shows what the room lived through: a note, a pause of the room and a cancelled exam', async (t) => {
  const { db: handle, clock } = await createTestApp(t);
  const db = handle.kysely;
  const logins = await seedDemo(db, clock, DEMO_PASSWORD, { history: true });
  const cancelled = await db
    .selectFrom('exams')
    .select(['last_name', 'cancel_reason', 'score'])
    .where('exam_session_id', '=', logins.historySessionId!)
    .where('cancelled_at', 'is not', null)
    .execute();
  t.same(cancelled, [{ last_name: 'Perrin', cancel_reason: DEMO_HISTORY_CANCEL_REASON, score: null }]);
  const incidents = await db
    .selectFrom('session_incidents')
    .select(['kind', 'text'])
    .where('exam_session_id', '=', logins.historySessionId!)
    .orderBy('at')
    .execute();
  t.same(incidents, [
    { kind: 'note', text: DEMO_HISTORY_NOTE },
    { kind: 'pause', text: `Toute la salle (6 examens) : ${DEMO_HISTORY_PAUSE_REASON}` },
    { kind: 'reprise', text: 'Toute la salle (6 examens), temps rendu : 4 min 00 s' },
    { kind: 'annulation', text: DEMO_HISTORY_CANCEL_REASON },
  ]);
});

t.test('without `history` (what the tests use), no past exam and no signatory', async (t) => {
  const { db: handle, clock } = await createTestApp(t);
  const logins = await seedDemo(handle.kysely, clock, DEMO_PASSWORD);
  t.equal(logins.historySessionId, null);
  t.equal((await handle.kysely.selectFrom('exams').select('id').execute()).length, 0);
  const centre = await handle.kysely.selectFrom('centres').select('representative_name').where('id', '=', 1).executeTakeFirstOrThrow();
  t.equal(centre.representative_name, null);
});
