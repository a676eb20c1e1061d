/**
 * Issue 16: the birth date as a French candidate types it (« 23/04/1985 ») at the identity step
 * and at the resume, AAAA-MM-JJ still taken (the kiosk contract); a typing slip at the resume is
 * said at the field and is no failed attempt; the date is shown back JJ/MM/AAAA; a company name
 * with a typographic dash is welcome, a first name cut short (« Marie- ») is not.
 */
import t from 'tap';
import { RESUME_MESSAGES } from '../../../src/areas/kiosk/entry/lifecycle.js';
import { managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { field, visibleText } from '../../helpers/html.js';
import { alertText, enter, restartBrowser, startCandidate } from '../../helpers/kiosk.js';
import { CENTRE_ID, IDENTITY, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const HINT = '(JJ/MM/AAAA, par exemple 23/04/1985)';
const DATE_FORMAT = 'Saisissez votre date de naissance sous la forme JJ/MM/AAAA, par exemple 23/04/1985.';
const FOUR_DIGIT_YEAR = 'Saisissez l’année en entier, sur 4 chiffres : par exemple 23/04/1985, et non 23/04/85.';

let nextIp = 1;
const terminal = (room: Room) => new Agent(room.app, `10.16.0.${nextIp++}`);

/** A candidate of a terminal of its own, on the identity form. */
async function identityForm(room: Room): Promise<Agent> {
  const agent = terminal(room);
  const entered = await enter(agent, room.takeToken());
  if (entered.headers.location !== '/examen/identite') throw new Error('entry refused');
  await agent.get('/examen/identite');
  return agent;
}

async function storedExam(room: Room, examId: number) {
  return room.db.selectFrom('exams').select(['birth_date', 'first_name', 'company']).where('id', '=', examId).executeTakeFirstOrThrow();
}

/** What the room's throttle counted against this terminal, and the refused resumes in the journal. */
async function countedAgainst(room: Room, ip: string) {
  const throttle = await room.db.selectFrom('sign_in_throttle').select('failures').where('key', '=', `kiosque:${CENTRE_ID}:${ip}`).executeTakeFirst();
  const audited = await room.db.selectFrom('audit_log').select('details').where('action', '=', 'examen.reprise_refusee').execute();
  return { failures: throttle?.failures ?? 0, audited: audited.length };
}

t.test('the birth-date field: one text field « date_naissance », the French form in its hint, autocomplete bday, no numeric keypad', async (t) => {
  const room = await kioskRoom(t);
  const agent = await identityForm(room);
  const form = (await agent.get('/examen/identite')).body;
  const input = /<input id="date_naissance"[^>]*>/.exec(form)?.[0] ?? '';
  t.match(input, /name="date_naissance"/);
  t.match(input, /type="text"/);
  t.match(input, /autocomplete="bday"/);
  t.notMatch(input, /inputmode=/, 'slashes need the full keyboard');
  t.notMatch(input, /pattern=/, 'no browser rule for one of the two forms only');
  t.match(visibleText(form), `Date de naissance ${HINT}`);
  t.notMatch(visibleText(form), /AAAA-MM-JJ/, 'the candidate is not asked for the ISO form');
});

t.test('identity: « 23/04/1985 » is accepted and stored 1985-04-23, shown back 23/04/1985; « 1985-04-23 » still accepted', async (t) => {
  const room = await kioskRoom(t);
  const french = await startCandidate(room, { ip: terminal(room).ip, identity: { ...IDENTITY, date_naissance: '23/04/1985' } });
  t.equal((await storedExam(room, french.examId)).birth_date, '1985-04-23', 'stored AAAA-MM-JJ');
  const iso = await startCandidate(room, { ip: terminal(room).ip, identity: { ...IDENTITY, date_naissance: '1985-04-23' } });
  t.equal((await storedExam(room, iso.examId)).birth_date, '1985-04-23', 'the form of the kiosk contract still works');
  const spaced = await startCandidate(room, { ip: terminal(room).ip, identity: { ...IDENTITY, date_naissance: '3.4.1985' } });
  t.equal((await storedExam(room, spaced.examId)).birth_date, '1985-04-03', '« 3.4.1985 »: 3 April');

  // The rules page, and the form when the candidate goes back to it, show the French form.
  const agent = await identityForm(room);
  t.equal((await agent.post('/examen/identite', { ...IDENTITY, date_naissance: '23/04/1985' })).statusCode, 303);
  t.match(visibleText((await agent.get('/examen/consignes')).body), 'né(e) le 23/04/1985.');
  t.equal(field((await agent.get('/examen/identite')).body, 'date_naissance').value, '23/04/1985', 'the form shows back JJ/MM/AAAA');
  t.equal((await agent.post('/examen/identite', { ...IDENTITY, date_naissance: '23/04/1985' })).statusCode, 303, 'and takes it back');

  // The centre's page of the exam: « Né(e) le 23/04/1985 ».
  const manager = await managerAgent(room.testApp, { ip: '10.16.1.1' });
  const page = await manager.get(`/centre/examens/${french.examId}`);
  t.equal(page.statusCode, 200);
  t.match(visibleText(page.body), 'Né(e) le 23/04/1985');
  t.notMatch(visibleText(page.body), '1985-04-23');
});

t.test('identity: impossible and unreadable dates are refused at the field, in French, with the typed value kept', async (t) => {
  const room = await kioskRoom(t);
  const cases: [string, string][] = [
    ['31/02/1985', 'Le 31/02/1985 n’existe pas : vérifiez le jour et le mois.'],
    ['23/13/1985', 'Le mois doit être compris entre 1 et 12 : saisissez le jour, puis le mois, puis l’année (JJ/MM/AAAA).'],
    ['23/04/85', FOUR_DIGIT_YEAR],
    ['abc', DATE_FORMAT],
    ['30/11/2026', 'Votre date de naissance ne peut pas être dans le futur.'],
    ['01/06/2015', 'Vérifiez votre date de naissance : l’âge calculé (11 ans) n’est pas plausible.'],
  ];
  const agent = await identityForm(room);
  for (const [date, message] of cases) {
    const res = await agent.post('/examen/identite', { ...IDENTITY, date_naissance: date });
    t.equal(res.statusCode, 400, `${date}: refused`);
    const shown = field(res.body, 'date_naissance');
    t.equal(shown.error, message, `${date}: the message at the field`);
    t.ok(shown.invalid, `${date}: the field is marked invalid`);
    t.equal(shown.value, date, `${date}: kept as typed`);
    t.equal(field(res.body, 'nom').value, IDENTITY.nom, `${date}: the name is kept`);
  }
  t.equal((await agent.get('/examen/consignes')).headers.location, '/examen', 'nothing was stored');
});

t.test('identity: a company « Dupont — Fils » is welcome; a first name « Marie- » is refused at its field', async (t) => {
  const room = await kioskRoom(t);
  const dashed = await startCandidate(room, { ip: terminal(room).ip, identity: { ...IDENTITY, entreprise: 'Dupont — Fils' } });
  t.equal((await storedExam(room, dashed.examId)).company, 'Dupont — Fils', 'stored as typed');

  const agent = await identityForm(room);
  const res = await agent.post('/examen/identite', { ...IDENTITY, prenom: 'Marie-' });
  t.equal(res.statusCode, 400);
  t.equal(field(res.body, 'prenom').error, 'Votre prénom ne peut pas se terminer par un trait d’union ou une apostrophe.');
  t.equal(field(res.body, 'prenom').value, 'Marie-', 'kept as typed');
  for (const other of ['nom', 'date_naissance', 'entreprise']) t.equal(field(res.body, other).error, null, `no error at ${other}`);
  t.equal((await agent.post('/examen/identite', { ...IDENTITY, prenom: 'Marie-Claire' })).statusCode, 303, 'the whole name passes');
});

/** A candidate whose terminal rebooted, on the resume form (their exam was started with IDENTITY, 1985-04-23). */
async function onResumeForm(room: Room) {
  const candidate = await startCandidate(room, { ip: terminal(room).ip });
  restartBrowser(candidate.agent);
  const entered = await enter(candidate.agent, candidate.token);
  if (entered.headers.location !== '/examen/reprise') throw new Error('no resume form');
  const form = await candidate.agent.get('/examen/reprise');
  return { ...candidate, form };
}

t.test('resume: « 23/04/1985 » takes the exam back', async (t) => {
  const room = await kioskRoom(t);
  const { agent, form } = await onResumeForm(room);
  t.match(visibleText(form.body), `Date de naissance ${HINT}`);
  t.notMatch(/<input id="date_naissance"[^>]*>/.exec(form.body)?.[0] ?? '', /inputmode=/);
  const resumed = await agent.post('/examen/reprise', { date_naissance: '23/04/1985' });
  t.equal(resumed.statusCode, 303);
  t.equal(resumed.headers.location, '/examen/question/1');
  t.same(await countedAgainst(room, agent.ip), { failures: 0, audited: 0 });
});

t.test('resume: an unreadable date is said at the field and counts as no failed attempt; a wrong real date counts', async (t) => {
  const room = await kioskRoom(t);
  const { agent } = await onResumeForm(room);
  const slips: [string, string][] = [
    ['23/04/85', FOUR_DIGIT_YEAR],
    ['abc', DATE_FORMAT],
    ['31/02/1985', 'Le 31/02/1985 n’existe pas : vérifiez le jour et le mois.'],
    ['', 'Saisissez votre date de naissance.'],
  ];
  for (const [date, message] of slips) {
    const res = await agent.post('/examen/reprise', { date_naissance: date });
    t.equal(res.statusCode, 400, `${date}: refused`);
    const shown = field(res.body, 'date_naissance');
    t.equal(shown.error, message, `${date}: the message at the field`);
    t.ok(shown.invalid, `${date}: the field is marked invalid and described by its message`);
    t.equal(shown.value, date, `${date}: kept as typed`);
    t.equal(alertText(res.body), null, `${date}: no refusal of the attempt`);
    t.same(await countedAgainst(room, agent.ip), { failures: 0, audited: 0 }, `${date}: no failure counted, nothing journalled`);
  }

  // A real date that is not the candidate's: a failed attempt, counted and journalled.
  const wrong = await agent.post('/examen/reprise', { date_naissance: '24/04/1985' });
  t.equal(wrong.statusCode, 400);
  t.equal(alertText(wrong.body), RESUME_MESSAGES.birthDate);
  t.equal(field(wrong.body, 'date_naissance').error, null, 'the refusal is above the form, not a format message');
  t.same(await countedAgainst(room, agent.ip), { failures: 1, audited: 1 });

  // Then the right one, typed the ISO way: back in the exam.
  const resumed = await agent.post('/examen/reprise', { date_naissance: '1985-04-23' });
  t.equal(resumed.statusCode, 303);
  t.equal(resumed.headers.location, '/examen/question/1');
});
