/**
 * The terminal check (issue 15, /examen/diagnostic), over HTTP: the page and its clock, the verdict
 * from the measures the check's script sends, and without them (JavaScript off). The browser's side
 * (the script measuring, a terminal clock put forward) is test/e2e/kiosk-diagnostic.test.ts.
 */
import t from 'tap';
import { EXAM_ASSETS, PROBE_COOKIE } from '../../../src/areas/kiosk/diagnostic/routes.js';
import { managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { visibleText } from '../../helpers/html.js';
import { startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom } from '../../helpers/kiosk-room.js';

const GOOD = { largeur: '1024', hauteur: '600', decalage: '-900', aller_retour: '9', chargement: '150', octets: '24000' };
const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

t.test('the page: the server’s time to compare by eye, a cookie to probe, a form that works without script', async (t) => {
  const room = await kioskRoom(t);
  room.clock.set('2026-11-30T13:32:05.000Z');
  const terminal = new Agent(room.app, '203.0.113.20');
  const page = await terminal.get('/examen/diagnostic');
  t.equal(page.statusCode, 200);
  t.match(page.headers['cache-control'], /no-store/);
  const text = visibleText(page.body);
  t.match(text, /Heure du serveur au chargement de cette page : 14 h 32 min 05 s ?, le lundi 30 novembre 2026/, 'Paris time, to the second');
  t.match(page.body, /<noscript>[\s\S]*JavaScript est désactivé sur ce poste[\s\S]*<\/noscript>/, 'without script, it says so');
  t.match(page.body, /<form method="get" action="\/examen\/diagnostic\/resultat"/);
  t.match(text, 'le chargement des pages d’examen (au plus 2 s, et 30 Ko au plus)', 'the page budget it checks is stated');
  t.match(page.body, /<script src="\/static\/js\/diagnostic.js" defer><\/script>/);
  t.equal(terminal.cookies.get(PROBE_COOKIE), '1', 'the probe cookie is set');
  t.notOk(terminal.cookies.has('qcm_session'), 'no session is made for it');
});

t.test('the clock answers the server’s time and whether the probe cookie came back', async (t) => {
  const room = await kioskRoom(t);
  room.clock.set('2026-11-30T13:32:05.250Z');
  const terminal = new Agent(room.app, '203.0.113.21');
  const before = await terminal.get('/examen/diagnostic/horloge');
  t.same(JSON.parse(before.body), { serveur: Date.parse('2026-11-30T13:32:05.250Z'), cookies: false });
  t.match(before.headers['cache-control'], /no-store/);
  await terminal.get('/examen/diagnostic');
  t.same(JSON.parse((await terminal.get('/examen/diagnostic/horloge')).body).cookies, true);
});

t.test('with the script’s measures: ready, or what to fix', async (t) => {
  const room = await kioskRoom(t);
  const terminal = new Agent(room.app, '203.0.113.22');
  await terminal.get('/examen/diagnostic');
  const ready = await terminal.get(`/examen/diagnostic/resultat?${query(GOOD)}`);
  t.equal(ready.statusCode, 200);
  t.match(visibleText(ready.body), 'Ce poste est prêt.');
  t.notMatch(visibleText(ready.body), 'Vérification partielle');
  t.match(visibleText(ready.body), /Horloge du poste à l’heure du serveur \(écart 0,9 s\) Correct/);

  const skewed = await terminal.get(`/examen/diagnostic/resultat?${query({ ...GOOD, decalage: String(10 * 60_000 + 4_000) })}`);
  const text = visibleText(skewed.body);
  t.match(text, 'Ce poste n’est pas prêt');
  t.match(text, 'l’horloge du poste avance de 10 min 04 s sur celle du serveur');
  t.match(text, 'Mettez le poste à l’heure');
  t.match(skewed.body, /<tr id="verification-horloge">[\s\S]*?À corriger/);

  const small = await terminal.get(`/examen/diagnostic/resultat?${query({ ...GOOD, largeur: '640', hauteur: '480' })}`);
  t.match(visibleText(small.body), '640 × 480 pixels (attendu : 768 × 500 au moins)');
});

t.test('without the script’s measures (JavaScript off): ready on cookies, partly checked; refused cookies: not ready', async (t) => {
  const room = await kioskRoom(t);
  const terminal = new Agent(room.app, '203.0.113.23');
  await terminal.get('/examen/diagnostic');
  const partial = await terminal.get('/examen/diagnostic/resultat');
  t.match(visibleText(partial.body), 'Ce poste est prêt. Vérification partielle : JavaScript est désactivé.');
  t.match(visibleText(partial.body), 'JavaScript désactivé');

  const noCookies = new Agent(room.app, '203.0.113.24');
  await noCookies.get('/examen/diagnostic');
  noCookies.cookies.clear();
  const refused = await noCookies.get('/examen/diagnostic/resultat');
  t.match(visibleText(refused.body), 'Ce poste n’est pas prêt');
  t.match(visibleText(refused.body), 'Cookies refusés par le navigateur Autorisez les cookies');
});

t.test('from a browser too old to measure, or one that does not tell the weight', async (t) => {
  const room = await kioskRoom(t);
  const terminal = new Agent(room.app, '203.0.113.26');
  await terminal.get('/examen/diagnostic');
  const old = visibleText((await terminal.get('/examen/diagnostic/resultat?javascript=limite')).body);
  t.match(old, 'Ce poste est prêt. Vérification partielle');
  t.match(old, 'activé, dans un navigateur trop ancien pour les mesures');
  const { octets: _left, ...withoutWeight } = GOOD;
  const unweighed = await terminal.get(`/examen/diagnostic/resultat?${query(withoutWeight)}`);
  t.equal(unweighed.statusCode, 200);
  t.match(visibleText(unweighed.body), 'en 0,2 s (poids non indiqué par ce navigateur) Correct');
});

t.test('the check times what a question page really loads', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room);
  const page = await candidate.agent.get('/examen/question/1');
  const loaded = [...page.body.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  t.ok(loaded.length >= 2, 'the question page loads a style sheet and scripts');
  t.same([...loaded].sort(), [...EXAM_ASSETS].sort(), 'exactly the files the check downloads');
});

t.test('measures altered or cut short: said in French, the check to run again', async (t) => {
  const room = await kioskRoom(t);
  const terminal = new Agent(room.app, '203.0.113.25');
  for (const altered of [{ ...GOOD, largeur: 'abc' }, { ...GOOD, decalage: '1e9' }, { largeur: '1024' }, { ...GOOD, octets: '-1' }, { ...GOOD, octets: '' }]) {
    const res = await terminal.get(`/examen/diagnostic/resultat?${query(altered)}`);
    t.equal(res.statusCode, 400, JSON.stringify(altered));
    t.match(visibleText(res.body), 'Les mesures reçues sont illisibles : relancez la vérification.');
  }
});

t.test('the session page sends the manager to the check', async (t) => {
  const room = await kioskRoom(t);
  const boss = await managerAgent(room.testApp);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.match(page.body, /<a href="\/examen\/diagnostic">vérification du poste<\/a>/);
});
