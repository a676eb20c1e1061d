/**
 * RGAA 11.10: every form with a required field says so in visible text at its top (the DSFR's
 * « Sauf mention contraire, tous les champs sont obligatoires. », a hint text of the kiosk there),
 * and each of its fields that is not required says « (facultatif) » in its label — but a checkbox,
 * a yes/no choice whose unchecked state is an answer. Forms without any required field (a search
 * bar, a kiosk question, a single button) carry no mention. And the kiosk's refusals of the entry
 * and of the terminal's admission, general alerts about both fields, are tied to them:
 * aria-describedby and aria-invalid on each.
 *
 * Read from the pages as served (app.inject), on the demo data; test/e2e/accessibility.test.ts
 * checks the same on every page it audits in a real browser.
 */
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import type { Mail, Mailer } from '../../src/services/mailer.js';
import { DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { TERMINAL_COOKIE } from '../../src/services/exam/admission.js';
import { adminAgent, managerAgent } from '../helpers/agents.js';
import { Agent } from '../helpers/app.js';
import { visibleText } from '../helpers/html.js';
import { admit, enter, startCandidate } from '../helpers/kiosk.js';
import { CENTRE, kioskRoom } from '../helpers/kiosk-room.js';

const MENTION = 'Sauf mention contraire, tous les champs sont obligatoires.';
const DSFR_MENTION = `<p class="fr-hint-text">${MENTION}</p>`;
const KIOSK_MENTION = `<p class="k-hint">${MENTION}</p>`;

interface FormReport {
  action: string;
  /** Names of the fields the user fills (neither hidden nor buttons). */
  fields: string[];
  required: string[];
  mention: boolean;
  /** The mention is the form's first element, before any field. */
  mentionFirst: boolean;
  /** Fields neither required nor checkboxes whose label lacks « (facultatif) ». */
  unmarkedOptional: string[];
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s>/])`).exec(tag);
  return m ? (m[1] ?? '') : null;
}

/** Every form of a page, with its fields, whether they are required, and the mention. */
function formsOf(html: string): FormReport[] {
  return [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)].map((m) => {
    const [whole, body] = [m[0], m[1]!];
    const action = attr(whole.slice(0, whole.indexOf('>') + 1), 'action') ?? '(this page)';
    const fields: string[] = [];
    const required: string[] = [];
    const unmarkedOptional: string[] = [];
    for (const f of body.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
      const tag = f[0];
      const type = f[1] === 'input' ? (attr(tag, 'type') ?? 'text') : f[1]!;
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
      const name = attr(tag, 'name') ?? attr(tag, 'id') ?? tag;
      if (fields.includes(name)) continue;
      fields.push(name);
      if (attr(tag, 'required') !== null) {
        required.push(name);
        continue;
      }
      if (type === 'checkbox') continue;
      const id = attr(tag, 'id');
      const label = id ? new RegExp(`<label[^>]*for="${id}"[^>]*>([\\s\\S]*?)</label>`).exec(body)?.[1] : undefined;
      if (!label || !visibleText(label).includes('(facultatif)')) unmarkedOptional.push(name);
    }
    const mention = body.includes(DSFR_MENTION) || body.includes(KIOSK_MENTION);
    const mentionFirst = /^\s*<p class="(?:fr-hint-text|k-hint)">Sauf mention contraire, tous les champs sont obligatoires\.<\/p>/.test(body);
    return { action, fields, required, mention, mentionFirst, unmarkedOptional };
  });
}

/** What checkPage needs of a tap test. */
interface Tap {
  ok(value: unknown, message: string): void;
  notOk(value: unknown, message: string): void;
  equal(found: unknown, wanted: unknown, message: string): void;
  same(found: unknown, wanted: unknown, message: string): void;
}

/** Asserts the rule on every form of the page; returns the forms that carry the mention. */
function checkPage(t: Tap, res: LightMyRequestResponse, label: string, expectedWithMention: number): FormReport[] {
  t.equal(res.statusCode, 200, `${label}: the page answers 200`);
  const forms = formsOf(res.body);
  const stated = forms.filter((f) => f.required.length > 0);
  for (const f of stated) {
    t.ok(f.mention && f.mentionFirst, `${label}, form ${f.action} (${f.fields.join(', ')}): « ${MENTION} » opens the form`);
    t.same(f.unmarkedOptional, [], `${label}, form ${f.action}: every optional field says « (facultatif) »`);
  }
  for (const f of forms.filter((x) => x.required.length === 0)) {
    t.notOk(f.mention, `${label}, form ${f.action} (${f.fields.join(', ') || 'a button only'}): no required field, no mention`);
  }
  t.equal(stated.length, expectedWithMention, `${label}: ${expectedWithMention} form(s) with required fields`);
  return stated;
}

/** The fields and the mention of the page's form posting to `action` (a single button's form, say), or null without one. */
function formAt(res: LightMyRequestResponse, action: string): Pick<FormReport, 'fields' | 'mention'> | null {
  const form = formsOf(res.body).find((f) => f.action === action);
  return form ? { fields: form.fields, mention: form.mention } : null;
}

t.test('each form with fields says that its fields are required, and its optional ones say « (facultatif) »', async (t) => {
  const mails: Mail[] = [];
  const mailer: Mailer = { enabled: true, send: async (mail) => void mails.push(mail) };
  const room = await kioskRoom(t, { mailer });

  // Public pages.
  const visitor = new Agent(room.app, '10.20.0.1');
  checkPage(t, await visitor.get('/connexion'), 'sign-in', 1);
  checkPage(t, await visitor.get('/mot-de-passe-oublie'), 'forgotten password', 1);
  checkPage(t, await visitor.get('/verifier'), 'attestation verification', 1);

  // Administration.
  const admin = await adminAgent(room.testApp, { ip: '10.20.0.2' });
  const dashboard = await admin.get('/admin');
  t.match(dashboard.body, 'Se déconnecter');
  t.notMatch(dashboard.body, MENTION, 'the sign-out button alone carries no mention');
  checkPage(t, await admin.get('/admin/centres/nouveau'), 'new centre', 1);
  checkPage(t, await admin.get('/admin/centres'), 'centre list (national quota of tokens; the search bar carries no mention)', 1);
  checkPage(t, await admin.get('/admin/journal'), 'audit log (filter bar)', 0);
  // The edit form, the attestations' signatory and the suspension form.
  checkPage(t, await admin.get('/admin/centres/1'), 'centre page', 3);
  checkPage(t, await admin.get('/admin/attestations'), 'attestation lookup', 1);
  checkPage(t, await admin.get('/admin/gestionnaires/nouveau'), 'new manager', 1);
  const imported = checkPage(t, await admin.get('/admin/questionnaires/importer'), 'questionnaire import', 1);
  t.same(imported[0]?.required, ['banque'], 'import: the bank file is required');
  t.match(
    (await admin.get('/admin/questionnaires/importer')).body,
    /for="entete">En-tête JSON \(facultatif\)<span class="fr-hint-text">Obligatoire pour un fichier CSV/,
    'import: the CSV header says « (facultatif) », and when it is needed',
  );

  // A second centre: the manager's page then offers to link it (a select, required).
  await admin.get('/admin/centres/nouveau');
  const created = await admin.post('/admin/centres', {
    nom: 'Centre annexe',
    adresse: '2 rue de l’Annexe, 69001 Lyon',
    siret: '44201453000012',
    email: 'annexe@demo.test',
  });
  t.equal(created.statusCode, 303, 'a second centre is recognised');
  const manager = await room.db.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const managerPage = await admin.get(`/admin/gestionnaires/${manager.id}`);
  const linking = checkPage(t, managerPage, 'manager page', 1);
  t.equal(linking[0]?.action, `/admin/gestionnaires/${manager.id}/centres`, 'the form to link a centre is the one with a field');

  // The set-password page, through a link sent to the manager.
  await admin.post(`/admin/gestionnaires/${manager.id}/lien`, {});
  const link = /https?:\/\/\S+\/compte\/mot-de-passe\/\S+/.exec(mails.at(-1)?.text ?? '')?.[0];
  t.ok(link, 'a password link was sent');
  if (link) checkPage(t, await new Agent(room.app, '10.20.0.3').get(new URL(link).pathname), 'set password', 1);

  // The kiosk: the terminal's admission (its optional « Nom du poste »), entry, identity (its
  // optional « Entreprise »), resume.
  const kiosk = new Agent(room.app, '10.20.0.4');
  const admission = checkPage(t, await kiosk.get('/examen'), 'kiosk admission', 1);
  t.equal(admission[0]?.action, '/examen/poste', 'a terminal not admitted yet gets the admission form');
  t.same(admission[0]?.fields, ['centre', 'code_session', 'poste'], 'admission: centre ID, session code, name of the terminal');
  t.same(admission[0]?.required, ['centre', 'code_session'], 'admission: centre ID and session code are required');
  await admit(kiosk);
  const entry = checkPage(t, await kiosk.get('/examen'), 'kiosk entry', 1);
  t.equal(entry[0]?.action, '/examen', 'an admitted terminal gets the entry form');
  t.same(entry[0]?.required, ['centre', 'jeton'], 'entry: centre ID and token are required');
  const entered = await enter(kiosk, room.takeToken());
  t.equal(entered.headers.location, '/examen/identite');
  const identity = await kiosk.get('/examen/identite');
  const identityForm = checkPage(t, identity, 'kiosk identity', 1);
  t.same(identityForm[0]?.required, ['nom', 'prenom', 'date_naissance'], 'identity: name, first name and birth date are required');
  t.match(
    identity.body,
    /<label for="entreprise">Entreprise <span class="k-hint">\(facultatif\)<\/span><\/label>/,
    'identity: « Entreprise » says « (facultatif) »',
  );

  const candidate = await startCandidate(room, { ip: '10.20.0.5' });
  const question = await candidate.agent.get('/examen/question/1');
  checkPage(t, question, 'kiosk question (answering is never required)', 0);
  const resumer = new Agent(room.app, '10.20.0.6');
  const resuming = await enter(resumer, candidate.token);
  t.equal(resuming.headers.location, '/examen/reprise');
  checkPage(t, await resumer.get('/examen/reprise'), 'kiosk resume', 1);

  // The centre's pages.
  const centre = await managerAgent(room.testApp, { ip: '10.20.0.7' });
  checkPage(t, await centre.get('/centre/jetons'), 'tokens (low-stock threshold)', 1);
  checkPage(t, await centre.get('/centre/jetons/nouvelle-table'), 'new token table', 1);
  // The signatory form and the stamp's upload.
  checkPage(t, await centre.get('/centre/parametres'), 'centre settings', 2);
  const running = await centre.get(`/centre/examens/${candidate.examId}`);
  checkPage(t, running, 'exam in progress (extra time)', 1);
  t.same(
    formAt(running, `/centre/examens/${candidate.examId}/reprise`),
    { fields: [], mention: false },
    'exam in progress: the leave to resume on another terminal is a button alone, without the mention',
  );
  // The room's terminals: a new session code, and « Retirer » for each admitted terminal.
  const roomPage = await centre.get(`/centre/sessions/${room.sessionId}`);
  checkPage(t, roomPage, 'session room (terminals)', 0);
  t.same(
    formAt(roomPage, `/centre/sessions/${room.sessionId}/code`),
    { fields: [], mention: false },
    'session room: « Afficher un nouveau code » is a button alone',
  );
  const kioskPoste = Number(kiosk.cookies.get(TERMINAL_COOKIE)?.split('.')[0]);
  const withdrawPage = await centre.get(`/centre/sessions/${room.sessionId}/postes/${kioskPoste}/retirer`);
  checkPage(t, withdrawPage, 'withdrawal of a terminal (confirmation)', 0);
  t.same(
    formAt(withdrawPage, `/centre/sessions/${room.sessionId}/postes/${kioskPoste}/retirer`),
    { fields: [], mention: false },
    'withdrawal of a terminal: « Confirmer le retrait » is a button alone',
  );
  const newSession = await centre.get('/centre/sessions/nouvelle');
  checkPage(t, newSession, 'new session', 1);
  t.notMatch(newSession.body, /<p>Tous les champs sont obligatoires\./, 'the new session page states it once, the DSFR way');

  // A second open session today: no session choice for the candidate any more, the terminal's
  // admission decides; a terminal not admitted still gets the admission form alone.
  const today = /id="date" name="date" min="([^"]+)"/.exec(newSession.body)?.[1] ?? '';
  const session = await centre.post('/centre/sessions/nouvelle', { date: today, heure_debut: '14:00', salle: 'Salle 2', surveillant: 'Camille Martin' });
  t.match(session.headers.location ?? '', /^\/centre\/sessions\/\d+$/, 'a second session is created');
  await centre.get(session.headers.location ?? '/centre/sessions');
  await centre.post(`${session.headers.location}/ouvrir`, {});
  const second = Number(/\d+$/.exec(session.headers.location ?? '')?.[0]);
  const newcomer = new Agent(room.app, '10.20.0.8');
  const twoOpen = formsOf((await newcomer.get('/examen')).body);
  t.same(
    twoOpen.map((f) => [f.action, f.required]),
    [['/examen/poste', ['centre', 'code_session']]],
    'two open sessions: the same admission form, and no choice of session',
  );
  await admit(newcomer, { sessionId: second });
  t.equal((await enter(newcomer, room.takeToken())).headers.location, '/examen/identite', 'admitted to the second session: straight to the identity');
  t.equal((await newcomer.get('/examen/session')).statusCode, 404, 'the session choice is gone');
  checkPage(t, await centre.get(`/centre/sessions/${second}`), 'second session room (terminals)', 0);
});

t.test('the kiosk entry refusal is tied to both fields (aria-describedby, aria-invalid)', async (t) => {
  const room = await kioskRoom(t);
  const fresh = new Agent(room.app, '10.21.0.1');
  await admit(fresh);
  const form = await fresh.get('/examen');
  t.match(form.body, '<form method="post" action="/examen" ', 'the entry form');
  t.notMatch(form.body, 'aria-invalid', 'no failure yet: no field is marked invalid');
  t.notMatch(form.body, 'aria-describedby', 'no failure yet: nothing describes the fields');

  const agent = new Agent(room.app, '10.21.0.2');
  await admit(agent);
  for (const [what, fields] of [
    ['an unknown token', { centre: CENTRE, jeton: 'AAAA-BBBB-CCCC' }],
    ['an unknown centre', { centre: 'centre9999', jeton: room.takeToken() }],
    ['nothing typed', { centre: '', jeton: '' }],
  ] as const) {
    await agent.get('/examen');
    const res = await agent.post('/examen', { ...fields });
    t.not(res.statusCode, 303, `${what}: refused`);
    const alert = /<div class="k-alert" role="alert" id="([^"]+)"><p>([\s\S]*?)<\/p><\/div>/.exec(res.body);
    t.ok(alert, `${what}: the refusal is an alert with an id`);
    if (!alert) continue;
    t.ok(visibleText(alert[2]!).length > 0, `${what}: the alert says why (${visibleText(alert[2]!)})`);
    for (const name of ['centre', 'jeton']) {
      const input = new RegExp(`<input id="${name}"[^>]*>`).exec(res.body)?.[0] ?? '';
      t.equal(attr(input, 'aria-invalid'), 'true', `${what}: #${name} is marked aria-invalid`);
      t.ok((attr(input, 'aria-describedby') ?? '').split(/\s+/).includes(alert[1]!), `${what}: #${name} is described by the alert #${alert[1]}`);
    }
    t.equal(res.body.split(`id="${alert[1]}"`).length - 1, 1, `${what}: the alert's id is unique on the page`);
  }
});

t.test('the kiosk admission refusal is tied to the centre and the code (aria-describedby, aria-invalid), not to the optional name', async (t) => {
  const room = await kioskRoom(t);
  const fresh = await new Agent(room.app, '10.22.0.1').get('/examen');
  t.match(fresh.body, '<form method="post" action="/examen/poste" ', 'the admission form');
  t.notMatch(fresh.body, 'aria-invalid', 'no failure yet: no field is marked invalid');
  t.notMatch(fresh.body, 'aria-describedby', 'no failure yet: nothing describes the fields');

  const code = await room.admissionCode();
  const agent = new Agent(room.app, '10.22.0.2');
  for (const [what, fields] of [
    ['a wrong code', { centre: CENTRE, code_session: 'ZZZZ-ZZZZ', poste: 'Poste 3' }],
    ['an unknown centre', { centre: 'centre9999', code_session: code, poste: '' }],
    ['nothing typed', { centre: '', code_session: '', poste: '' }],
  ] as const) {
    await agent.get('/examen');
    const res = await agent.post('/examen/poste', { ...fields });
    t.equal(res.statusCode, 400, `${what}: refused`);
    const alert = /<div class="k-alert" role="alert" id="([^"]+)"><p>([\s\S]*?)<\/p><\/div>/.exec(res.body);
    t.ok(alert, `${what}: the refusal is an alert with an id`);
    if (!alert) continue;
    t.ok(visibleText(alert[2]!).length > 0, `${what}: the alert says why (${visibleText(alert[2]!)})`);
    for (const name of ['centre', 'code_session']) {
      const input = new RegExp(`<input id="${name}"[^>]*>`).exec(res.body)?.[0] ?? '';
      t.equal(attr(input, 'aria-invalid'), 'true', `${what}: #${name} is marked aria-invalid`);
      t.ok((attr(input, 'aria-describedby') ?? '').split(/\s+/).includes(alert[1]!), `${what}: #${name} is described by the alert #${alert[1]}`);
    }
    const poste = /<input id="poste"[^>]*>/.exec(res.body)?.[0] ?? '';
    t.ok(poste, `${what}: the name of the terminal is still offered`);
    t.equal(attr(poste, 'aria-invalid'), null, `${what}: #poste, optional and never the cause, is not marked invalid`);
    t.equal(res.body.split(`id="${alert[1]}"`).length - 1, 1, `${what}: the alert's id is unique on the page`);
  }
});
