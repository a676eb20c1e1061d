/**
 * The kiosk's first two forms: centre ID + token (every refusal and its French message, the
 * throttling of failed entries per terminal and per centre) and the candidate's identity
 * (welcome names, hostile input refused and shown inert, implausible dates).
 */
import t from 'tap';
import { KIOSK_CENTRE_POLICY, KIOSK_TERMINAL_POLICY } from '../../../src/domain/throttle.js';
import { closeSession, createSession, openSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { retireQuestionnaire } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import { ENTRY_MESSAGES } from '../../../src/areas/kiosk/entry/token-check.js';
import { revokeToken } from '../../../src/areas/centre/tokens/lifecycle.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre, suspendCentre } from '../../helpers/exam-fixtures.js';
import { escapeHtml, field, visibleText } from '../../helpers/html.js';
import { alertText, enter, startCandidate } from '../../helpers/kiosk.js';
import { CENTRE, IDENTITY, kioskRoom, type IdentityFields } from '../../helpers/kiosk-room.js';

const ACTOR = { actor: { accountId: null, label: 'test' } };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let nextIp = 1;
/** A terminal of its own, so that the failures of one case never throttle the next one. */
const terminal = (app: Agent['app']) => new Agent(app, `10.9.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`);

t.test('the entry form: /examen.html redirects, the fields of the kiosk contract, no-store', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app);
  const old = await agent.get('/examen.html');
  t.equal(old.statusCode, 301);
  t.equal(old.headers.location, '/examen');

  const page = await agent.get('/examen');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(page.body, /<form method="post" action="\/examen"/);
  t.equal(field(page.body, 'centre').value, '', 'a field "centre", empty');
  t.equal(field(page.body, 'jeton').value, '', 'a field "jeton", empty');
  t.match(page.body, /<label for="centre">/, 'each field has its label');
  t.match(page.body, /<label for="jeton">/);

  const empty = await agent.post('/examen', { centre: '', jeton: '' });
  t.equal(empty.statusCode, 400);
  t.equal(alertText(empty.body), 'Saisissez l’identifiant du centre et le jeton d’examen.');
});

t.test('every refusal of the entry form, with its French message; the form keeps what was typed', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock, app } = room;
  // A second centre with tokens of its own (and no open session).
  await insertCentre(db, clock, { id: 2, name: 'Centre B' });
  const other = await generateTokens(db, clock, { centreId: 'centre0002', profile: 'operateur', count: 2, actorLabel: 'CLI' });
  if (!other.ok) throw new Error(other.message);

  const refused = async (centre: string, jeton: string, message: string, label: string) => {
    const res = await enter(terminal(app), jeton, centre);
    t.equal(res.statusCode, 400, `${label}: 400`);
    t.equal(alertText(res.body), message, `${label}: the message`);
    t.equal(field(res.body, 'centre').value, centre, `${label}: the centre typed is kept`);
    t.equal(field(res.body, 'jeton').value, jeton, `${label}: the token typed is kept`);
    t.equal(res.headers['cache-control'], 'no-store', `${label}: no-store`);
    return res;
  };

  const good = room.takeToken();
  await refused('centre9999', good, ENTRY_MESSAGES.centre, 'unknown centre');
  t.equal(ENTRY_MESSAGES.centre, 'Ce centre d’examen n’est pas reconnu ou n’est pas actif.');
  await refused('centre12', good, ENTRY_MESSAGES.centre, 'malformed centre ID');

  const unknownCode = 'ABCD-EFGH-JKMN';
  t.equal(ENTRY_MESSAGES.unknownToken, 'Ce jeton n’est pas reconnu. Vérifiez les caractères saisis.');
  const unknown = await refused(CENTRE, unknownCode, ENTRY_MESSAGES.unknownToken, 'unknown token');
  await refused(CENTRE, 'pas un jeton <b>', ENTRY_MESSAGES.unknownToken, 'garbage token');
  const foreign = await refused(CENTRE, other.formattedCodes[0]!, ENTRY_MESSAGES.unknownToken, 'token of another centre');
  t.equal(alertText(foreign.body), alertText(unknown.body), 'another centre’s token reads exactly like an unknown one');
  const neutral = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/"x-csrf-token": "[^"]*"/, '');
  t.equal(neutral(foreign.body), neutral(unknown.body), 'and the whole page is the same');
  // At its own centre (no open session there) the foreign token says nothing about itself either.
  await refused('centre0002', other.formattedCodes[0]!, ENTRY_MESSAGES.noOpenSession, 'other centre without session');

  // Revoked.
  const revoked = room.takeToken();
  const row = await db.selectFrom('exam_tokens').select(['id', 'batch_id']).where('code', '=', revoked.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.same(await revokeToken(db, clock, { centreId: 1, batchId: row.batch_id, tokenId: row.id, ...ACTOR }), { ok: true });
  t.equal(ENTRY_MESSAGES.spentToken, 'Ce jeton n’est plus valable.');
  await refused(CENTRE, revoked, ENTRY_MESSAGES.spentToken, 'revoked token');

  // Already used: the exam it started is finished.
  const done = await startCandidate(room, { ip: '10.8.0.1' });
  const finished = await done.agent.post('/examen/terminer', {});
  t.equal(finished.headers.location, '/examen/resultat');
  await refused(CENTRE, done.token, ENTRY_MESSAGES.spentToken, 'token of a finished exam');
  await refused(CENTRE, done.token.toLowerCase().replace(/-/g, ' '), ENTRY_MESSAGES.spentToken, 'token of a finished exam, typed loosely');

  // Retired questionnaire.
  const concepteur = room.takeToken('concepteur');
  const retired = await retireQuestionnaire(db, clock, room.questionnaireIds.concepteur, ACTOR);
  t.ok(retired.ok, 'concepteur retired');
  await refused(CENTRE, concepteur, ENTRY_MESSAGES.spentToken, 'token of a retired questionnaire');

  // Suspended centre: same words as an unknown one.
  await suspendCentre(db, 1, 'Contrôle en cours');
  await refused(CENTRE, good, ENTRY_MESSAGES.centre, 'suspended centre');
  await db.updateTable('centres').set({ status: 'active', suspension_reason: null }).where('id', '=', 1).execute();

  // No open session: the supervisor closed it.
  t.equal(ENTRY_MESSAGES.noOpenSession, 'Aucune session d’examen n’est ouverte dans ce centre en ce moment.');
  t.same(await closeSession(db, clock, 1, room.sessionId, ACTOR), { ok: true });
  await refused(CENTRE, good, ENTRY_MESSAGES.noOpenSession, 'session closed');
});

t.test('an open session of another day does not let anyone in', async (t) => {
  const room = await kioskRoom(t);
  const token = room.takeToken();
  const accepted = await enter(terminal(room.app), token);
  t.equal(accepted.headers.location, '/examen/identite', 'accepted today');
  room.clock.advance(DAY);
  const res = await enter(terminal(room.app), token);
  t.equal(res.statusCode, 400);
  t.equal(alertText(res.body), ENTRY_MESSAGES.noOpenSession, 'refused the next day');
});

t.test('a good entry leads to the identity form with the fields of the kiosk contract', async (t) => {
  const room = await kioskRoom(t);
  const agent = terminal(room.app);
  t.equal((await agent.get('/examen/identite')).headers.location, '/examen', 'no identity form before the entry');
  const token = room.takeToken();
  // Entry is forgiving on presentation: case, spaces instead of dashes, spaces around.
  const res = await enter(agent, ` ${token.toLowerCase().replace(/-/g, ' ')} `, ' CENTRE0001 ');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/examen/identite');
  const form = await agent.get('/examen/identite');
  t.equal(form.statusCode, 200);
  for (const name of ['nom', 'prenom', 'date_naissance', 'entreprise']) t.equal(field(form.body, name).value, '', `field ${name}`);
  t.match(form.body, /action="\/examen\/identite"/);
});

t.test('throttling per terminal: locked after maxFailures, with the time to retry; other terminals unaffected', async (t) => {
  const room = await kioskRoom(t);
  const { app, clock, db } = room;
  const good = room.takeToken();
  const agent = new Agent(app, '10.1.0.1');
  for (let i = 1; i < KIOSK_TERMINAL_POLICY.maxFailures; i++) {
    const res = await enter(agent, 'ABCD-EFGH-JKM' + '23456789A'[i]!);
    t.equal(res.statusCode, 400, `failure ${i} is refused plainly`);
  }
  const last = await enter(agent, 'ABCD-EFGH-JKMA');
  t.equal(last.statusCode, 429, 'the failure that locks the terminal…');
  t.equal(
    alertText(last.body),
    `${ENTRY_MESSAGES.unknownToken} Trop de tentatives infructueuses. Réessayez à 10 h 05 (dans 5 minutes).`,
    '…says why it failed and when to retry',
  );
  const locked = await enter(agent, good);
  t.equal(locked.statusCode, 429, 'locked, even with a good token');
  // 09:00Z is 10:00 in Paris; the lock lasts KIOSK_TERMINAL_POLICY.lockMs.
  t.equal(KIOSK_TERMINAL_POLICY.lockMs, 5 * MINUTE);
  t.equal(alertText(locked.body), 'Trop de tentatives infructueuses. Réessayez à 10 h 05 (dans 5 minutes).');
  t.equal(field(locked.body, 'jeton').value, good, 'the typed token is kept');
  const status = await db.selectFrom('exam_tokens').select('status').where('code', '=', good.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.equal(status.status, 'available', 'the token is untouched');

  const elsewhere = await enter(new Agent(app, '10.1.0.2'), good);
  t.equal(elsewhere.headers.location, '/examen/identite', 'another terminal still works');

  clock.advance(KIOSK_TERMINAL_POLICY.lockMs - 1000);
  const stillLocked = await enter(agent, good);
  t.equal(stillLocked.statusCode, 429, 'still locked one second before the end');
  t.match(alertText(stillLocked.body), /Réessayez à 10 h 05 \(dans 1 minute\)\./);
  clock.advance(1000);
  const after = await enter(agent, good);
  t.equal(after.statusCode, 303, 'works again once the lock is over');
  t.equal(after.headers.location, '/examen/identite');
});

t.test('throttling per centre: failures from many terminals lock the centre for every terminal', async (t) => {
  const room = await kioskRoom(t);
  const { app, clock } = room;
  const good = room.takeToken();
  const perTerminal = KIOSK_TERMINAL_POLICY.maxFailures - 2;
  const terminals = Math.ceil(KIOSK_CENTRE_POLICY.maxFailures / perTerminal);
  const statuses: number[] = [];
  for (let i = 0; i < terminals && statuses.length < KIOSK_CENTRE_POLICY.maxFailures; i++) {
    const agent = new Agent(app, `10.2.0.${i + 1}`);
    for (let k = 0; k < perTerminal && statuses.length < KIOSK_CENTRE_POLICY.maxFailures; k++) {
      const res = await enter(agent, 'ABCD-EFGH-JKMN');
      statuses.push(res.statusCode);
      if (statuses.length === KIOSK_CENTRE_POLICY.maxFailures)
        t.match(alertText(res.body), /Trop de tentatives infructueuses\. Réessayez à 10 h 05/, 'the locking failure says when to retry');
    }
  }
  t.same(
    statuses,
    [...Array<number>(KIOSK_CENTRE_POLICY.maxFailures - 1).fill(400), 429],
    'every failure is refused plainly, the one that reaches the limit locks',
  );
  const fresh = await enter(new Agent(app, '10.3.0.1'), good);
  t.equal(fresh.statusCode, 429, 'a terminal that never failed is refused too');
  t.match(alertText(fresh.body), /Réessayez à 10 h 05/);

  // Another centre is not locked by this one's failures.
  const otherCentre = await enter(new Agent(app, '10.3.0.2'), good, 'centre0002');
  t.equal(otherCentre.statusCode, 400, 'centre0002 is refused for what it is, not locked');

  clock.advance(KIOSK_CENTRE_POLICY.lockMs);
  const after = await enter(new Agent(app, '10.3.0.1'), good);
  t.equal(after.headers.location, '/examen/identite', 'works again after the lock');
});

async function identityForm(room: Awaited<ReturnType<typeof kioskRoom>>) {
  const agent = terminal(room.app);
  const entered = await enter(agent, room.takeToken());
  if (entered.headers.location !== '/examen/identite') throw new Error('entry refused');
  await agent.get('/examen/identite');
  return agent;
}

t.test('identity: accents, hyphens, apostrophes and spaces are welcome', async (t) => {
  const room = await kioskRoom(t);
  const cases: IdentityFields[] = [
    { nom: 'D’Artagnan-Lefèvre', prenom: 'Zoé', date_naissance: '1985-04-23', entreprise: '' },
    { nom: "D'Artagnan-Lefèvre", prenom: 'Jean Pierre', date_naissance: '1970-01-01', entreprise: 'Réseaux & Fils (Lyon)' },
    { nom: 'Nguyễn', prenom: 'Anaïs-Maëlle', date_naissance: '2000-02-29', entreprise: 'TP-Ouest 2000' },
    { nom: '  Le   Goff ', prenom: 'Éloïse', date_naissance: '1990-12-31', entreprise: '' },
  ];
  for (const identity of cases) {
    const agent = await identityForm(room);
    const res = await agent.post('/examen/identite', { ...identity });
    t.equal(res.statusCode, 303, `${identity.prenom} ${identity.nom} accepted`);
    t.equal(res.headers.location, '/examen/consignes');
    const rules = await agent.get('/examen/consignes');
    const expected = `${identity.prenom} ${identity.nom.trim().replace(/\s+/g, ' ')}`;
    t.ok(
      rules.body.includes(`Candidat : <strong>${escapeHtml(expected)}</strong>, né(e) le ${identity.date_naissance.split('-').reverse().join('/')}.`),
      'shown on the rules page as typed',
    );
    // Going back to the form shows what was accepted.
    const back = await agent.get('/examen/identite');
    t.equal(field(back.body, 'prenom').value, identity.prenom);
  }
  // A decomposed accent (as some keyboards send it) is stored composed.
  const agent = await identityForm(room);
  const res = await agent.post('/examen/identite', { ...IDENTITY, prenom: 'Zoe\u0301' });
  t.equal(res.statusCode, 303);
  t.equal(field((await agent.get('/examen/identite')).body, 'prenom').value, 'Zoé');
});

t.test('identity: hostile input is refused at the right field and shown inert; the form keeps what was typed', async (t) => {
  const room = await kioskRoom(t);
  const LETTERS_ONLY = (label: string) => `Votre ${label} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.`;
  const cases: { field: keyof IdentityFields; value: string; message: string; shown?: string }[] = [
    { field: 'nom', value: '<script>alert(1)</script>', message: LETTERS_ONLY('nom') },
    { field: 'prenom', value: '<script>alert(1)</script>', message: LETTERS_ONLY('prénom') },
    { field: 'nom', value: 'Dupont" autofocus onfocus="alert(1)', message: LETTERS_ONLY('nom') },
    { field: 'prenom', value: "Jean'><img src=x onerror=alert(1)>", message: LETTERS_ONLY('prénom') },
    { field: 'nom', value: 'Zoé 😀', message: LETTERS_ONLY('nom') },
    { field: 'nom', value: 'Robert\u202Eevil', message: LETTERS_ONLY('nom') },
    { field: 'nom', value: 'A'.repeat(10_000), message: 'Votre nom ne doit pas dépasser 80 caractères.', shown: 'A'.repeat(320) },
    { field: 'prenom', value: 'é'.repeat(81), message: 'Votre prénom ne doit pas dépasser 80 caractères.' },
    { field: 'entreprise', value: '<script>alert(1)</script>', message: 'Le nom de l’entreprise contient des caractères non autorisés : < >' },
    { field: 'entreprise', value: 'Société "Fouilles" 🚜', message: 'Le nom de l’entreprise contient des caractères non autorisés : 🚜' },
    { field: 'entreprise', value: 'X'.repeat(10_000), message: 'Le nom de l’entreprise ne doit pas dépasser 120 caractères.', shown: 'X'.repeat(480) },
    {
      field: 'date_naissance',
      value: '<script>alert(1)</script>',
      message: 'Saisissez une date de naissance réelle, au format AAAA-MM-JJ (par exemple 1985-04-23).',
    },
    { field: 'nom', value: '', message: 'Saisissez votre nom.' },
    { field: 'prenom', value: '   ', message: 'Saisissez votre prénom.', shown: '' },
  ];
  const agent = await identityForm(room);
  for (const c of cases) {
    const typed = { ...IDENTITY, [c.field]: c.value };
    const res = await agent.post('/examen/identite', typed);
    const label = `${c.field} = ${JSON.stringify(c.value.slice(0, 30))}`;
    t.equal(res.statusCode, 400, `${label}: refused`);
    t.equal(field(res.body, c.field).error, c.message, `${label}: the message at the field`);
    for (const other of ['nom', 'prenom', 'date_naissance', 'entreprise'] as const) {
      if (other !== c.field) t.equal(field(res.body, other).error, null, `${label}: no error at ${other}`);
      if (other !== c.field) t.equal(field(res.body, other).value, IDENTITY[other], `${label}: ${other} kept`);
    }
    t.equal(field(res.body, c.field).value, c.shown ?? c.value, `${label}: the value typed is shown back`);
    t.notMatch(res.body, /<script>alert|<img src=x|onfocus="alert|onerror=alert\(1\)>/, `${label}: shown inert`);
    t.equal((res.body.match(/<script/g) ?? []).length, 0, `${label}: no script element on the page at all`);
    t.match(res.body, new RegExp(`aria-invalid="true" aria-describedby="${c.field}-erreur"`), `${label}: the field is marked invalid`);
  }
  // Nothing was stored on the way: the candidate is still on the identity form.
  t.equal((await agent.get('/examen/consignes')).headers.location, '/examen');
});

t.test('identity: impossible, future and implausible birth dates are refused', async (t) => {
  const room = await kioskRoom(t);
  // Today is 2026-11-29 in Paris.
  const REAL = 'Saisissez une date de naissance réelle, au format AAAA-MM-JJ (par exemple 1985-04-23).';
  const cases: [string, string | null][] = [
    ['2023-02-30', REAL],
    ['2001-02-29', REAL],
    ['1985-13-01', REAL],
    ['23/04/1985', REAL],
    ['1985-4-23', REAL],
    ['2027-01-01', 'Votre date de naissance ne peut pas être dans le futur.'],
    ['2026-11-30', 'Votre date de naissance ne peut pas être dans le futur.'],
    ['2015-06-01', 'Vérifiez votre date de naissance : l’âge calculé (11 ans) n’est pas plausible.'],
    ['2012-11-30', 'Vérifiez votre date de naissance : l’âge calculé (13 ans) n’est pas plausible.'],
    ['2012-11-29', null],
    ['1926-11-29', null],
    // 100 years and one day: an age of 100 is still plausible, 101 is not.
    ['1926-11-28', null],
    ['1900-01-01', 'Vérifiez votre date de naissance : l’âge calculé (126 ans) n’est pas plausible.'],
    ['', 'Saisissez votre date de naissance.'],
  ];
  for (const [date, message] of cases) {
    const agent = await identityForm(room);
    const res = await agent.post('/examen/identite', { ...IDENTITY, date_naissance: date });
    if (message === null) {
      t.equal(res.statusCode, 303, `${date} accepted`);
      continue;
    }
    t.equal(res.statusCode, 400, `${date} refused`);
    t.equal(field(res.body, 'date_naissance').error, message, `${date}: message`);
    t.equal(field(res.body, 'date_naissance').value, date, `${date}: kept`);
    t.equal(field(res.body, 'nom').value, IDENTITY.nom, `${date}: the name is kept`);
  }
  const old = await identityForm(room);
  const res = await old.post('/examen/identite', { ...IDENTITY, date_naissance: '1925-11-28' });
  t.equal(field(res.body, 'date_naissance').error, 'Vérifiez votre date de naissance : l’âge calculé (101 ans) n’est pas plausible.');
});

t.test('concurrent failed entries from one terminal never get more tries than the limit', async (t) => {
  const room = await kioskRoom(t);
  const agents = Array.from({ length: 3 * KIOSK_TERMINAL_POLICY.maxFailures }, () => new Agent(room.app, '10.40.0.1'));
  for (const a of agents) await a.get('/examen');
  const answers = await Promise.all(agents.map((a) => a.post('/examen', { centre: CENTRE, jeton: 'ABCD-EFGH-JKMN' })));
  const tried = answers.filter((r) => r.statusCode === 400).length;
  t.ok(tried <= KIOSK_TERMINAL_POLICY.maxFailures, `${tried} tries went through (limit ${KIOSK_TERMINAL_POLICY.maxFailures})`);
  t.equal(answers.filter((r) => r.statusCode === 429).length, answers.length - tried, 'the others are told to wait');
  const good = await enter(new Agent(room.app, '10.40.0.1'), room.takeToken());
  t.equal(good.statusCode, 429, 'the terminal is locked');
});

t.test('several open sessions: the candidate chooses one, and the exam belongs to it', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock } = room;
  const created = await createSession(db, clock, 1, { date: '2026-11-29', startTime: '14:00', room: 'Salle <2>', supervisor: 'M. Durand' }, ACTOR);
  if (!created.ok) throw new Error('session refused');
  t.same(await openSession(db, clock, { id: 1, status: 'active', suspensionReason: null }, created.sessionId, ACTOR), { ok: true });
  const agent = terminal(room.app);
  const token = room.takeToken();
  const entered = await enter(agent, token);
  t.equal(entered.headers.location, '/examen/session');
  t.equal((await agent.get('/examen/identite')).headers.location, '/examen', 'no identity before the session is chosen');
  const page = await agent.get('/examen/session');
  t.equal(page.statusCode, 200);
  const values = [...page.body.matchAll(/name="session" value="(\d+)"/g)].map((m) => Number(m[1]));
  t.same(values, [room.sessionId, created.sessionId], 'both sessions, by start time');
  t.match(page.body, 'Salle &lt;2&gt;', 'the room name is shown inert');
  const bogus = await agent.post('/examen/session', { session: '999' });
  t.equal(bogus.statusCode, 400);
  t.match(visibleText(bogus.body), 'Choisissez la session dans laquelle vous passez l’examen.');
  const chosen = await agent.post('/examen/session', { session: String(created.sessionId) });
  t.equal(chosen.headers.location, '/examen/identite');
  await agent.get('/examen/identite');
  await agent.post('/examen/identite', { ...IDENTITY });
  await agent.get('/examen/consignes');

  // The chosen session is closed before "Commencer": no exam, and the token is not spent.
  t.same(await closeSession(db, clock, 1, created.sessionId, ACTOR), { ok: true });
  const refused = await agent.post('/examen/commencer', {});
  t.equal(refused.statusCode, 409);
  t.equal(alertText(refused.body), 'La session d’examen a été fermée. Adressez-vous au surveillant.');
  const tokenRow = await db.selectFrom('exam_tokens').select(['id', 'status']).where('code', '=', token.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.equal(tokenRow.status, 'available', 'the token is still available');

  // Again, in the other (still open) session.
  const again = terminal(room.app);
  t.equal((await enter(again, token)).headers.location, '/examen/identite', 'one open session left: no choice to make');
  await again.get('/examen/identite');
  await again.post('/examen/identite', { ...IDENTITY });
  await again.get('/examen/consignes');
  t.equal((await again.post('/examen/commencer', {})).headers.location, '/examen/question/1');
  const exam = await db.selectFrom('exams').select('exam_session_id').where('token_id', '=', tokenRow.id).executeTakeFirstOrThrow();
  t.equal(exam.exam_session_id, room.sessionId);
});

t.test('a kiosk form whose session has expired leads back to the exam, not to the platform’s home', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.50.0.1');
  await agent.get('/examen');
  // The terminal stayed on the entry form longer than its session row lives: the token no longer matches.
  const res = await agent.post('/examen', { centre: CENTRE, jeton: room.takeToken() }, { csrf: 'jeton-perime' });
  t.equal(res.statusCode, 403);
  t.match(visibleText(res.body), 'Ce formulaire a expiré');
  t.match(res.body, '<a class="fr-btn" href="/examen">Revenir à l’examen</a>');
  t.notMatch(res.body, 'href="/">Revenir à l’accueil', 'not the home page of the platform');
});
