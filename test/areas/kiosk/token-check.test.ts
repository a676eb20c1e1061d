import t from 'tap';
import { formatTokenCode } from '../../../src/domain/token-code.js';
import { closeSession, createSession, openSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { retireQuestionnaire } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import { checkTokenEntry, ENTRY_MESSAGES } from '../../../src/areas/kiosk/entry/token-check.js';
import { closeStaleSessions } from '../../../src/services/exam/sessions.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { createTestApp, type Teardown } from '../../helpers/app.js';
import { insertCentre, publishDemoQuestionnaire, suspendCentre } from '../../helpers/exam-fixtures.js';

const ACTOR = { actor: { accountId: null, label: 'test' } };
const DAY = 24 * 60 * 60 * 1000;

async function setup(t: Teardown) {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  const clock = testApp.clock;
  await insertCentre(db, clock, { id: 1, name: 'Centre A' });
  await insertCentre(db, clock, { id: 2, name: 'Centre B' });
  const questionnaireId = await publishDemoQuestionnaire(db, clock);
  const tokensA = await generateTokens(db, clock, { centreId: 'centre0001', profile: 'operateur', count: 5, actorLabel: 'CLI' });
  const tokensB = await generateTokens(db, clock, { centreId: 'centre0002', profile: 'operateur', count: 2, actorLabel: 'CLI' });
  if (!tokensA.ok || !tokensB.ok) throw new Error('token generation failed');
  /** Creates and opens a session of today for a centre. */
  const openToday = async (centreId: number, room = 'Salle 1') => {
    const created = await createSession(db, clock, centreId, { date: '2026-11-29', startTime: '09:00', room, supervisor: 'S' }, ACTOR);
    if (!created.ok) throw new Error('session refused');
    const opened = await openSession(db, clock, { id: centreId, status: 'active', suspensionReason: null }, created.sessionId, ACTOR);
    if (!opened?.ok) throw new Error('session not opened');
    return created.sessionId;
  };
  return { testApp, db, clock, questionnaireId, codesA: tokensA.codes, codesB: tokensB.codes, openToday };
}

t.test('a token is refused while no session is open, accepted while one is, refused again after closing', async (t) => {
  const { db, clock, questionnaireId, codesA, openToday } = await setup(t);
  const code = codesA[0]!;
  const refused = await checkTokenEntry(db, clock.now(), 'centre0001', code);
  t.same(refused, { ok: false, reason: 'no_open_session', message: 'Aucune session d’examen n’est ouverte dans ce centre en ce moment.' });

  // A session planned for today but not opened does not count.
  await createSession(db, clock, 1, { date: '2026-11-29', startTime: '08:00', room: 'Salle 0', supervisor: 'S' }, ACTOR);
  t.equal((await checkTokenEntry(db, clock.now(), 'centre0001', code)).ok, false, 'a planned session does not let anyone in');

  const sessionId = await openToday(1);
  const accepted = await checkTokenEntry(db, clock.now(), 'centre0001', code);
  if (!accepted.ok) throw new Error(accepted.message);
  const tokenRow = await db.selectFrom('exam_tokens').select('id').where('code', '=', code).executeTakeFirstOrThrow();
  t.same(
    { centreId: accepted.centreId, tokenId: accepted.tokenId, questionnaireId: accepted.questionnaireId, sessions: accepted.openSessions.map((s) => s.id) },
    { centreId: 1, tokenId: tokenRow.id, questionnaireId, sessions: [sessionId] },
  );
  const status = await db.selectFrom('exam_tokens').select('status').where('code', '=', code).executeTakeFirstOrThrow();
  t.equal(status.status, 'available', 'checking does not spend the token');

  // Entry is forgiving on presentation: case, spaces, dashes; the centre ID's case and spaces too.
  const printed = formatTokenCode(code);
  for (const typed of [printed, printed.toLowerCase(), printed.replace(/-/g, ' '), ` ${code.slice(0, 6)} ${code.slice(6)} `]) {
    t.ok((await checkTokenEntry(db, clock.now(), ' CENTRE0001 ', typed)).ok, `accepts ${JSON.stringify(typed)}`);
  }

  const second = await openToday(1, 'Salle 2');
  const both = await checkTokenEntry(db, clock.now(), 'centre0001', code);
  t.same(both.ok ? both.openSessions.map((s) => s.id) : null, [sessionId, second], 'every open session is offered to the kiosk');

  await closeSession(db, clock, 1, sessionId, ACTOR);
  await closeSession(db, clock, 1, second, ACTOR);
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', code), refused, 'refused again once the sessions are closed');
});

t.test('an open session of yesterday no longer counts', async (t) => {
  const { db, clock, codesA, openToday } = await setup(t);
  const sessionId = await openToday(1);
  clock.set('2026-11-29T22:59:59.999Z');
  t.ok((await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!)).ok, 'accepted until the last millisecond of the day');
  clock.set('2026-11-29T23:00:00.000Z');
  const refused = await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!);
  t.equal(refused.ok ? null : refused.reason, 'no_open_session', 'refused from midnight in Paris');
  clock.advance(DAY);
  t.equal((await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!)).ok, false, 'and the day after');
  const stored = () => db.selectFrom('exam_sessions').select(['status', 'closed_at']).where('id', '=', sessionId).executeTakeFirstOrThrow();
  t.same(await stored(), { status: 'open', closed_at: null }, 'the check only reads');
  t.equal(await closeStaleSessions(db, clock.now()), 1, 'the sweep closes it');
  t.same(await stored(), { status: 'closed', closed_at: '2026-11-29T22:59:59.999Z' }, 'stored as closed at the end of its day');
});

t.test('an unknown token and another centre’s token read the same', async (t) => {
  const { db, clock, codesA, codesB, openToday } = await setup(t);
  await openToday(1);
  await openToday(2);
  const unknown = await checkTokenEntry(db, clock.now(), 'centre0001', 'K7QF-93MW-XT4P');
  t.same(unknown, { ok: false, reason: 'unknown_token', message: 'Ce jeton n’est pas reconnu. Vérifiez les caractères saisis.' });
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesB[0]!), unknown, 'centre B’s token at centre A');
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', 'pas un jeton'), unknown, 'a malformed entry');
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', ''), unknown, 'an empty entry');
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!.replace(/.$/, 'O')), unknown, 'a look-alike letter');
  t.ok((await checkTokenEntry(db, clock.now(), 'centre0002', codesB[0]!)).ok, 'the same token at its own centre');
});

t.test('revoked and used tokens, and tokens of a retired questionnaire, are no longer valid', async (t) => {
  const { db, clock, questionnaireId, codesA, openToday } = await setup(t);
  await openToday(1);
  await db.updateTable('exam_tokens').set({ status: 'revoked' }).where('code', '=', codesA[0]!).execute();
  await db.updateTable('exam_tokens').set({ status: 'used' }).where('code', '=', codesA[1]!).execute();
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!), {
    ok: false,
    reason: 'token_revoked',
    message: 'Ce jeton n’est plus valable. Demandez un autre jeton au surveillant de la salle.',
  });
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesA[1]!), {
    ok: false,
    reason: 'token_used',
    message: 'Ce jeton n’est plus valable. Demandez un autre jeton au surveillant de la salle.',
  });
  t.ok((await checkTokenEntry(db, clock.now(), 'centre0001', codesA[2]!)).ok);
  await retireQuestionnaire(db, clock, questionnaireId, ACTOR);
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesA[2]!), {
    ok: false,
    reason: 'questionnaire_retired',
    message: 'Ce jeton n’est plus valable. Demandez un autre jeton au surveillant de la salle.',
  });
});

t.test('an unknown, malformed or suspended centre reads the same, and a suspended centre lets nobody in', async (t) => {
  const { db, clock, codesA, openToday } = await setup(t);
  await openToday(1);
  t.ok((await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!)).ok, 'accepted before the suspension');
  const expected = { ok: false, reason: 'unknown_centre', message: 'Ce centre d’examen n’est pas reconnu ou n’est pas actif.' };
  t.same(await checkTokenEntry(db, clock.now(), 'centre0099', codesA[0]!), expected, 'unknown');
  t.same(await checkTokenEntry(db, clock.now(), 'centre01', codesA[0]!), expected, 'malformed');
  t.same(await checkTokenEntry(db, clock.now(), '', codesA[0]!), expected, 'empty');
  await suspendCentre(db, 1, 'Contrôle en cours');
  t.same(await checkTokenEntry(db, clock.now(), 'centre0001', codesA[0]!), expected, 'suspended, even with an open session');
  t.equal(ENTRY_MESSAGES.centre, expected.message);
});
