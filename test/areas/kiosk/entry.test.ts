/**
 * The kiosk's first two forms on an admitted terminal: centre ID + token (every refusal and its
 * French message, the session the terminal's admission decides, the throttling of failed entries
 * per (address prefix, centre), which never refuses a right token) and the candidate's identity
 * (welcome names, hostile input refused and shown inert, implausible dates).
 */
import t from 'tap';
import { KIOSK_ROOM_POLICY } from '../../../src/domain/throttle.js';
import { closeSession, createSession, openSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { retireQuestionnaire } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import { ENTRY_MESSAGES } from '../../../src/areas/kiosk/entry/token-check.js';
import { revokeToken } from '../../../src/areas/centre/tokens/lifecycle.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { ADMISSION_REFUSED, renewAdmissionCode, TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre, suspendCentre } from '../../helpers/exam-fixtures.js';
import { escapeHtml, field, visibleText } from '../../helpers/html.js';
import { admit, alertText, enter, startCandidate } from '../../helpers/kiosk.js';
import { admissionCodeOf, CENTRE, IDENTITY, kioskRoom, type IdentityFields, type Room } from '../../helpers/kiosk-room.js';

const ACTOR = { actor: { accountId: null, label: 'test' } };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const OTHER_CENTRE = 'Ce poste est admis dans un autre centre d’examen. Vérifiez l’identifiant du centre.';
const LOCKED = 'Trop de tentatives infructueuses depuis cette salle.';
const WRONG_TOKEN = 'ABCD-EFGH-JKMN';

let nextIp = 1;
/** A terminal of its own, at an address of its own, so that the failures of one case never throttle the next one. */
const terminal = (app: Agent['app']) => new Agent(app, `10.9.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`);

/** The failures counted against (this IPv4 address, the demo centre), as the throttle stores them. */
async function failuresOf(room: Room, ip: string, centreId = 1): Promise<{ failures: number; locked_until: string | null } | undefined> {
  return room.db.selectFrom('sign_in_throttle').select(['failures', 'locked_until']).where('key', '=', `kiosque:${centreId}:${ip}`).executeTakeFirst();
}

/** Another browser (tab) of an admitted terminal: the same admission cookie, a session of its own. */
async function sameTerminal(agent: Agent): Promise<Agent> {
  const other = new Agent(agent.app, agent.ip);
  other.cookies.set(TERMINAL_COOKIE, agent.cookies.get(TERMINAL_COOKIE)!);
  await other.get('/examen');
  return other;
}

/** A second open session of the demo centre today (room « Salle <2> », 14:00). */
async function secondOpenSession(room: Room): Promise<number> {
  const created = await createSession(room.db, room.clock, 1, { date: '2026-11-29', startTime: '14:00', room: 'Salle <2>', supervisor: 'M. Durand' }, ACTOR);
  if (!created.ok) throw new Error('session refused');
  const opened = await openSession(room.db, room.clock, { id: 1, status: 'active', suspensionReason: null }, created.sessionId, ACTOR);
  if (!opened?.ok) throw new Error('session not opened');
  return created.sessionId;
}

t.test('the entry form of an admitted terminal: /examen.html redirects, the fields of the kiosk contract, no-store', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app);
  const old = await agent.get('/examen.html');
  t.equal(old.statusCode, 301);
  t.equal(old.headers.location, '/examen');

  t.notMatch((await agent.get('/examen')).body, /name="jeton"/, 'no entry form before the admission');
  await admit(agent, { label: 'Poste <1>' });
  const page = await agent.get('/examen');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(page.body, /<form method="post" action="\/examen"/);
  t.equal(field(page.body, 'centre').value, '', 'a field "centre", empty');
  t.equal(field(page.body, 'jeton').value, '', 'a field "jeton", empty');
  t.match(page.body, /<label for="centre">/, 'each field has its label');
  t.match(page.body, /<label for="jeton">/);
  t.match(visibleText(page.body), /Poste n° \d+ \(Poste <1>\) admis à la session du/, 'the form says which terminal it is and which session it is admitted to');
  t.match(page.body, '(Poste &lt;1&gt;)', 'the label typed at the admission is shown inert');

  const empty = await agent.post('/examen', { centre: '', jeton: '' });
  t.equal(empty.statusCode, 400);
  t.equal(alertText(empty.body), 'Saisissez l’identifiant du centre et le jeton d’examen.');
  t.equal((await agent.post('/examen', { centre: CENTRE, jeton: '' })).statusCode, 400, 'a missing token too');
  t.equal(await failuresOf(room, agent.ip), undefined, 'empty fields are not counted as failures');
});

t.test('every refusal of the entry form, with its French message; the form keeps what was typed', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock, app } = room;
  // A second centre with tokens of its own (and no open session).
  await insertCentre(db, clock, { id: 2, name: 'Centre B' });
  const other = await generateTokens(db, clock, { centreId: 'centre0002', profile: 'operateur', count: 2, actorLabel: 'CLI' });
  if (!other.ok) throw new Error(other.message);

  /** Refused on a terminal of its own (admitted to the demo centre's session); `counted`: whether the failure counts against its address. */
  const refused = async (centre: string, jeton: string, message: string, label: string, counted = true) => {
    const agent = terminal(app);
    const res = await enter(agent, jeton, centre);
    t.equal(res.statusCode, 400, `${label}: 400`);
    t.equal(alertText(res.body), message, `${label}: the message`);
    t.equal(field(res.body, 'centre').value, centre, `${label}: the centre typed is kept`);
    t.equal(field(res.body, 'jeton').value, jeton, `${label}: the token typed is kept`);
    t.equal(res.headers['cache-control'], 'no-store', `${label}: no-store`);
    t.equal((await failuresOf(room, agent.ip))?.failures, counted ? 1 : undefined, `${label}: ${counted ? 'counted' : 'not counted'} as a failure`);
    return res;
  };

  const good = room.takeToken();
  // The terminal is admitted to centre0001: any other centre ID, known or not, reads the same.
  t.equal(OTHER_CENTRE, 'Ce poste est admis dans un autre centre d’examen. Vérifiez l’identifiant du centre.');
  const unknownCentre = await refused('centre9999', good, OTHER_CENTRE, 'unknown centre');
  await refused('centre12', good, OTHER_CENTRE, 'malformed centre ID');
  const existingCentre = await refused('centre0002', good, OTHER_CENTRE, 'another existing centre');
  // Each refusal runs on a terminal of its own: its number differs, nothing else may.
  const neutralCentre = (html: string) =>
    html
      .replace(/value="[^"]*"/g, '')
      .replace(/"x-csrf-token": "[^"]*"/, '')
      .replace(/Poste n° \d+/, '');
  t.equal(neutralCentre(existingCentre.body), neutralCentre(unknownCentre.body), 'an existing centre reads exactly like an unknown one');

  const unknownCode = 'ABCD-EFGH-JKMN';
  t.equal(ENTRY_MESSAGES.unknownToken, 'Ce jeton n’est pas reconnu. Vérifiez les caractères saisis.');
  const unknown = await refused(CENTRE, unknownCode, ENTRY_MESSAGES.unknownToken, 'unknown token');
  await refused(CENTRE, 'pas un jeton <b>', ENTRY_MESSAGES.unknownToken, 'garbage token');
  const foreign = await refused(CENTRE, other.formattedCodes[0]!, ENTRY_MESSAGES.unknownToken, 'token of another centre');
  t.equal(alertText(foreign.body), alertText(unknown.body), 'another centre’s token reads exactly like an unknown one');
  t.equal(neutralCentre(foreign.body), neutralCentre(unknown.body), 'and the whole page is the same');
  // Typed with its own centre's ID, on this centre's terminal, the foreign token says nothing about itself either.
  await refused('centre0002', other.formattedCodes[0]!, OTHER_CENTRE, 'foreign token with its own centre ID');

  // Revoked.
  const revoked = room.takeToken();
  const row = await db.selectFrom('exam_tokens').select(['id', 'batch_id']).where('code', '=', revoked.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.same(await revokeToken(db, clock, { centreId: 1, batchId: row.batch_id, tokenId: row.id, ...ACTOR }), { ok: true, code: revoked.replace(/-/g, '') });
  t.equal(ENTRY_MESSAGES.spentToken, 'Ce jeton n’est plus valable. Demandez un autre jeton au surveillant de la salle.');
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

  // Suspended centre (the terminal was admitted before): the centre is not active.
  t.equal(ENTRY_MESSAGES.centre, 'Ce centre d’examen n’est pas reconnu ou n’est pas actif.');
  const suspendedOn = terminal(app);
  await admit(suspendedOn);
  await suspendCentre(db, 1, 'Contrôle en cours');
  const suspended = await enter(suspendedOn, good);
  t.equal(suspended.statusCode, 400, 'suspended centre: 400');
  t.equal(alertText(suspended.body), ENTRY_MESSAGES.centre, 'suspended centre: the message');
  t.equal((await failuresOf(room, suspendedOn.ip))?.failures, 1, 'suspended centre: counted');
  await db.updateTable('centres').set({ status: 'active', suspension_reason: null }).where('id', '=', 1).execute();

  // No open session: the supervisor closed it after the terminal's admission. Counted all the same:
  // the token was already looked up among the exams in progress.
  t.equal(ENTRY_MESSAGES.noOpenSession, 'Aucune session d’examen n’est ouverte dans ce centre en ce moment.');
  const closedOn = terminal(app);
  await admit(closedOn);
  t.same(await closeSession(db, clock, 1, room.sessionId, ACTOR), { ok: true });
  const closed = await enter(closedOn, good);
  t.equal(closed.statusCode, 400, 'session closed: 400');
  t.equal(alertText(closed.body), ENTRY_MESSAGES.noOpenSession, 'session closed: the message');
  t.equal(field(closed.body, 'jeton').value, good, 'session closed: the token typed is kept');
  t.equal((await failuresOf(room, closedOn.ip))?.failures, 1, 'session closed: counted');
});

t.test('an open session of another day does not let anyone in', async (t) => {
  const room = await kioskRoom(t);
  const token = room.takeToken();
  const agent = terminal(room.app);
  const accepted = await enter(agent, token);
  t.equal(accepted.headers.location, '/examen/identite', 'accepted today');
  room.clock.advance(DAY);
  // The admission lasted until the end of the session's day.
  t.match((await agent.get('/examen')).body, /action="\/examen\/poste"/, 'the next day the terminal is no longer admitted');
  t.equal((await agent.post('/examen', { centre: CENTRE, jeton: token })).headers.location, '/examen', 'and its entry form reaches nothing');
  // Yesterday's session, still stored as open, admits no terminal, even with a code that has not expired.
  await renewAdmissionCode(room.db, room.clock, room.sessionId);
  const fresh = terminal(room.app);
  await fresh.get('/examen');
  const res = await fresh.post('/examen/poste', { centre: CENTRE, code_session: await admissionCodeOf(room.db, room.clock, room.sessionId), poste: '' });
  t.equal(res.statusCode, 400);
  t.equal(alertText(res.body), ADMISSION_REFUSED, 'refused the next day');
  t.notOk(fresh.cookies.has(TERMINAL_COOKIE), 'no admission');
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

t.test('throttling per (address, centre): failures lock after maxFailures; a right token still passes; another address is unaffected', async (t) => {
  const room = await kioskRoom(t);
  const { app, clock, db } = room;
  // 09:00Z is 10:00 in Paris; the lock lasts KIOSK_ROOM_POLICY.lockMs.
  t.same(KIOSK_ROOM_POLICY, { maxFailures: 30, windowMs: 10 * MINUTE, lockMs: 5 * MINUTE });
  const good = room.takeToken();
  const agent = new Agent(app, '10.1.0.1');
  // Another terminal behind the same address, admitted before the lock (a locked pair's session codes are refused).
  const neighbour = new Agent(app, '10.1.0.1');
  await admit(neighbour);
  for (let i = 1; i < KIOSK_ROOM_POLICY.maxFailures; i++) {
    const res = await enter(agent, WRONG_TOKEN);
    t.equal(res.statusCode, 400, `failure ${i} is refused plainly`);
  }
  const last = await enter(agent, 'ABCD-EFGH-JKMA');
  t.equal(last.statusCode, 429, 'the failure that reaches the limit…');
  t.equal(alertText(last.body), `${ENTRY_MESSAGES.unknownToken} ${LOCKED} Réessayez à 10 h 05 (dans 5 minutes).`, '…says why it failed and when to retry');
  t.equal(field(last.body, 'jeton').value, 'ABCD-EFGH-JKMA', 'the typed token is kept');
  t.same(await failuresOf(room, '10.1.0.1'), { failures: KIOSK_ROOM_POLICY.maxFailures, locked_until: '2026-11-29T09:05:00.000Z' });

  clock.advance(MINUTE);
  const spent = await enter(agent, 'ABCD-EFGH-JKMB');
  t.equal(spent.statusCode, 429, 'a failure during the lock');
  t.equal(alertText(spent.body), `${ENTRY_MESSAGES.unknownToken} ${LOCKED} Réessayez à 10 h 05 (dans 4 minutes).`, 'says why and when');
  const wrongCentre = await enter(agent, good, 'centre0002');
  t.equal(wrongCentre.statusCode, 429, 'a wrong centre ID during the lock');
  t.equal(alertText(wrongCentre.body), `${OTHER_CENTRE} ${LOCKED} Réessayez à 10 h 05 (dans 4 minutes).`);
  t.same(
    await failuresOf(room, '10.1.0.1'),
    { failures: KIOSK_ROOM_POLICY.maxFailures, locked_until: '2026-11-29T09:05:00.000Z' },
    'failures during the lock are not counted again',
  );

  // Another terminal behind the same address: the same (address, centre).
  t.equal((await enter(neighbour, WRONG_TOKEN)).statusCode, 429, 'a failure from the same address is refused as locked');

  const right = await enter(agent, good);
  t.equal(right.statusCode, 303, 'a right token passes during the lock');
  t.equal(right.headers.location, '/examen/identite');
  const status = await db.selectFrom('exam_tokens').select('status').where('code', '=', good.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.equal(status.status, 'available', 'the token is untouched until « Commencer »');
  t.equal((await enter(neighbour, room.takeToken())).headers.location, '/examen/identite', 'so does another right token from the same address');

  const elsewhere = new Agent(app, '10.1.0.2');
  t.equal((await enter(elsewhere, WRONG_TOKEN)).statusCode, 400, 'a failure from another address is refused plainly');
  t.equal((await failuresOf(room, '10.1.0.2'))?.failures, 1, 'and counted for that address only');

  clock.advance(KIOSK_ROOM_POLICY.lockMs - MINUTE - 1000);
  const stillLocked = await enter(agent, WRONG_TOKEN);
  t.equal(stillLocked.statusCode, 429, 'still locked one second before the end');
  t.match(alertText(stillLocked.body), /Réessayez à 10 h 05 \(dans 1 minute\)\./);
  clock.advance(1000);
  const after = await enter(agent, WRONG_TOKEN);
  t.equal(after.statusCode, 400, 'once the lock is over a failure is refused plainly again');
  t.same(await failuresOf(room, '10.1.0.1'), { failures: 1, locked_until: null }, 'and the count starts again');
});

t.test('throttling per (address, centre): failures from many addresses lock no one else; another centre behind the same address is not locked', async (t) => {
  const room = await kioskRoom(t);
  const { app, db, clock } = room;
  // Several addresses, each one failure short of the limit: together far beyond it.
  for (let a = 1; a <= 3; a++) {
    const agent = new Agent(app, `10.2.0.${a}`);
    for (let i = 1; i < KIOSK_ROOM_POLICY.maxFailures; i++) {
      if ((await enter(agent, WRONG_TOKEN)).statusCode !== 400) t.fail(`address ${a}, failure ${i} is not refused plainly`);
    }
    t.equal((await failuresOf(room, agent.ip))?.failures, KIOSK_ROOM_POLICY.maxFailures - 1, `address ${a}: its own count`);
  }
  const fresh = new Agent(app, '10.3.0.1');
  t.equal((await enter(fresh, WRONG_TOKEN)).statusCode, 400, 'a failure from an address that never failed is refused plainly');
  t.equal((await enter(new Agent(app, '10.3.0.2'), room.takeToken())).headers.location, '/examen/identite', 'and a right token passes');

  // One address locked at the demo centre…
  const shared = new Agent(app, '10.2.0.1');
  const locking = await enter(shared, WRONG_TOKEN);
  t.equal(locking.statusCode, 429, 'the address reaches the limit at the demo centre');
  t.match(alertText(locking.body), /Trop de tentatives infructueuses depuis cette salle\. Réessayez à 10 h 05/);

  // …but a terminal behind that same address, admitted to another centre's session, is counted apart.
  await insertCentre(db, clock, { id: 2, name: 'Centre B' });
  const tokens = await generateTokens(db, clock, { centreId: 'centre0002', profile: 'operateur', count: 1, actorLabel: 'CLI' });
  if (!tokens.ok) throw new Error(tokens.message);
  const created = await createSession(db, clock, 2, { date: '2026-11-29', startTime: '10:30', room: 'Salle B', supervisor: 'Mme Blanc' }, ACTOR);
  if (!created.ok) throw new Error('session refused');
  t.same(await openSession(db, clock, { id: 2, status: 'active', suspensionReason: null }, created.sessionId, ACTOR), { ok: true });
  const centreB = new Agent(app, '10.2.0.1');
  await centreB.get('/examen');
  const admitted = await centreB.post('/examen/poste', { centre: 'centre0002', code_session: await room.admissionCode(created.sessionId), poste: '' });
  t.equal(admitted.statusCode, 303, 'a terminal behind the locked address is admitted to centre0002');
  await centreB.get('/examen');
  const otherCentre = await enter(centreB, WRONG_TOKEN, 'centre0002');
  t.equal(otherCentre.statusCode, 400, 'a failure at centre0002 is refused plainly, not locked');
  t.equal(alertText(otherCentre.body), ENTRY_MESSAGES.unknownToken);
  t.equal((await failuresOf(room, '10.2.0.1', 2))?.failures, 1, 'and counted for (address, centre0002)');
  t.equal((await enter(centreB, tokens.formattedCodes[0]!, 'centre0002')).headers.location, '/examen/identite', 'its own token passes');
  t.equal((await enter(shared, WRONG_TOKEN)).statusCode, 429, 'while the demo centre stays locked for that address');
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
      message: 'Saisissez votre date de naissance sous la forme JJ/MM/AAAA, par exemple 23/04/1985.',
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
  const NO_SUCH_DAY = (shown: string) => `Le ${shown} n’existe pas : vérifiez le jour et le mois.`;
  const cases: [string, string | null][] = [
    ['2023-02-30', NO_SUCH_DAY('30/02/2023')],
    ['2001-02-29', NO_SUCH_DAY('29/02/2001')],
    ['1985-13-01', 'Le mois doit être compris entre 1 et 12 : saisissez le jour, puis le mois, puis l’année (JJ/MM/AAAA).'],
    // Issue 16: the French way is welcome (test/areas/kiosk/french-birth-date.test.ts).
    ['23/04/1985', null],
    ['1985-4-23', null],
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
  const first = new Agent(room.app, '10.40.0.1');
  await admit(first);
  // Many browsers of the one admitted terminal, all failing at once.
  const agents = await Promise.all(Array.from({ length: 3 * KIOSK_ROOM_POLICY.maxFailures }, () => sameTerminal(first)));
  const answers = await Promise.all(agents.map((a) => a.post('/examen', { centre: CENTRE, jeton: WRONG_TOKEN })));
  const tried = answers.filter((r) => r.statusCode === 400).length;
  t.ok(tried <= KIOSK_ROOM_POLICY.maxFailures, `${tried} tries went through (limit ${KIOSK_ROOM_POLICY.maxFailures})`);
  t.equal(answers.filter((r) => r.statusCode === 429).length, answers.length - tried, 'the others are told to wait');
  t.equal((await enter(first, WRONG_TOKEN)).statusCode, 429, 'the terminal is locked for failures');
  t.equal((await enter(first, room.takeToken())).headers.location, '/examen/identite', 'but not for a right token');
});

t.test('several open sessions: the terminal’s admission decides the session of the exam', async (t) => {
  const room = await kioskRoom(t);
  const { db } = room;
  const second = await secondOpenSession(room);
  // Admitted to the later of the two open sessions: nothing to choose, the exam belongs to it.
  const agent = terminal(room.app);
  await admit(agent, { sessionId: second });
  const form = await agent.get('/examen');
  t.match(
    visibleText(form.body),
    'admis à la session du dimanche 29 novembre 2026, 14 h 00, Salle <2>.',
    'the entry form names the session, its room once (not « salle Salle »)',
  );
  t.match(form.body, 'Salle &lt;2&gt;', 'the room name is shown inert');
  const token = room.takeToken();
  const entered = await enter(agent, token);
  t.equal(entered.headers.location, '/examen/identite', 'no session to choose');
  t.equal((await agent.get('/examen/session')).statusCode, 404, 'the session-choice page is gone');
  await agent.get('/examen/identite');
  await agent.post('/examen/identite', { ...IDENTITY });
  await agent.get('/examen/consignes');
  t.equal((await agent.post('/examen/commencer', {})).headers.location, '/examen/question/1');
  const tokenId = (await db.selectFrom('exam_tokens').select('id').where('code', '=', token.replace(/-/g, '')).executeTakeFirstOrThrow()).id;
  const exam = await db.selectFrom('exams').select('exam_session_id').where('token_id', '=', tokenId).executeTakeFirstOrThrow();
  t.equal(exam.exam_session_id, second, 'the exam belongs to the session the terminal is admitted to');

  // And a terminal admitted to the earlier one, with both still open, starts its exam there.
  const early = await startCandidate(room, { ip: '10.9.200.1' });
  const earlyExam = await db.selectFrom('exams').select('exam_session_id').where('id', '=', early.examId).executeTakeFirstOrThrow();
  t.equal(earlyExam.exam_session_id, room.sessionId);
});

t.test('the session of the admission is closed: before « Commencer » no exam starts, after it no entry is taken', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock } = room;
  const second = await secondOpenSession(room);
  const agent = terminal(room.app);
  await admit(agent, { sessionId: second });
  const token = room.takeToken();
  t.equal((await enter(agent, token)).headers.location, '/examen/identite');
  await agent.get('/examen/identite');
  await agent.post('/examen/identite', { ...IDENTITY });
  await agent.get('/examen/consignes');

  // The session is closed before "Commencer": no exam, and the token is not spent.
  t.same(await closeSession(db, clock, 1, second, ACTOR), { ok: true });
  const refused = await agent.post('/examen/commencer', {});
  t.equal(refused.statusCode, 409);
  t.equal(alertText(refused.body), 'La session d’examen a été fermée. Adressez-vous au surveillant.');
  const tokenRow = await db.selectFrom('exam_tokens').select(['id', 'status']).where('code', '=', token.replace(/-/g, '')).executeTakeFirstOrThrow();
  t.equal(tokenRow.status, 'available', 'the token is still available');
  t.equal(await db.selectFrom('exams').select('id').executeTakeFirst(), undefined, 'no exam');

  // The other session is still open, but this terminal is admitted to the closed one.
  const again = await enter(agent, token);
  t.equal(again.statusCode, 400);
  t.equal(alertText(again.body), 'La session à laquelle ce poste est admis n’est pas ouverte. Adressez-vous au surveillant.');
  t.equal(await failuresOf(room, agent.ip), undefined, 'not the candidate’s mistake: not counted');

  // On a terminal admitted to the open session, the same token starts the exam there.
  const other = terminal(room.app);
  await admit(other, { sessionId: room.sessionId });
  t.equal((await enter(other, token)).headers.location, '/examen/identite');
  await other.get('/examen/identite');
  await other.post('/examen/identite', { ...IDENTITY });
  await other.get('/examen/consignes');
  t.equal((await other.post('/examen/commencer', {})).headers.location, '/examen/question/1');
  const exam = await db.selectFrom('exams').select('exam_session_id').where('token_id', '=', tokenRow.id).executeTakeFirstOrThrow();
  t.equal(exam.exam_session_id, room.sessionId);
});

t.test('a kiosk form whose session has expired leads back to the exam, not to the platform’s home', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.50.0.1');
  await admit(agent);
  await agent.get('/examen');
  // The terminal stayed on the entry form longer than its session row lives: the token no longer matches.
  const res = await agent.post('/examen', { centre: CENTRE, jeton: room.takeToken() }, { csrf: 'jeton-perime' });
  t.equal(res.statusCode, 403);
  t.match(visibleText(res.body), 'Ce formulaire a expiré');
  t.match(res.body, '<a class="fr-btn" href="/examen">Revenir à l’examen</a>');
  t.notMatch(res.body, 'href="/">Revenir à l’accueil', 'not the home page of the platform');
});
