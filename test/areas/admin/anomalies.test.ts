/**
 * The national view of anomalies (issue 11, medium item 8): exams ended within minutes, exams
 * answered mostly « Je ne sais pas », centres far above their usual volume; administrators only.
 */
import t from 'tap';
import { SURGE_FLOOR } from '../../../src/domain/anomalies.js';
import { PROFILES } from '../../../src/domain/profiles.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { visibleText } from '../../helpers/html.js';
import { answer, startCandidate } from '../../helpers/kiosk.js';
import { examItems, kioskRoom } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;

/** The visible text of the page's section labelled by the heading `id`. */
function sectionText(html: string, id: string): string {
  return visibleText(new RegExp(`<section[^>]*aria-labelledby="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '');
}

async function finish(agent: Awaited<ReturnType<typeof startCandidate>>['agent']) {
  await agent.get('/examen/terminer');
  const done = await agent.post('/examen/terminer', {});
  if (done.statusCode !== 303) throw new Error(`finish refused: ${done.statusCode}`);
}

t.test('a rushed exam and an exam of « Je ne sais pas » are listed; an ordinary exam is not', async (t) => {
  const room = await kioskRoom(t);
  const rushed = await startCandidate(room, { ip: '10.20.0.1', identity: { nom: 'Pressé', prenom: 'Paul', date_naissance: '1980-01-01', entreprise: '' } });
  room.clock.advance(2 * MINUTE);
  await finish(rushed.agent);

  const probe = await startCandidate(room, { ip: '10.20.0.2', identity: { nom: 'Sonde', prenom: 'Sophie', date_naissance: '1981-02-02', entreprise: '' } });
  const items = await examItems(room.db, probe.examId);
  for (const item of items) await answer(probe.agent, item.position, { seq: 1, choix: 'nsp' });
  room.clock.advance(10 * MINUTE);
  await finish(probe.agent);

  const ordinary = await startCandidate(room, {
    ip: '10.20.0.3',
    identity: { nom: 'Ordinaire', prenom: 'Odile', date_naissance: '1982-03-03', entreprise: '' },
  });
  for (const item of await examItems(room.db, ordinary.examId)) await answer(ordinary.agent, item.position, { seq: 1, choix: '1' });
  room.clock.advance(20 * MINUTE);
  await finish(ordinary.agent);

  const admin = await adminAgent(room.testApp);
  const page = await admin.get('/admin/anomalies');
  t.equal(page.statusCode, 200);
  const text = visibleText(page.body);
  const section = (id: string) => sectionText(page.body, id);
  t.match(section('examens-rapides'), /Pressé Paul 2 /, 'the exam ended after two minutes, with its duration');
  t.notMatch(section('examens-rapides'), /Sonde|Ordinaire/);
  t.match(section('examens-nsp'), new RegExp(`Sonde Sophie ${items.length} / ${items.length}`), 'the exam answered « Je ne sais pas » throughout');
  t.notMatch(section('examens-nsp'), /Pressé|Ordinaire/, 'an exam left unanswered is not « Je ne sais pas »');
  t.match(text, 'Un signalement n’est pas une preuve');
  t.match(section('volumes'), 'Aucun centre', `three exams are below the floor of ${SURGE_FLOOR}`);
  t.match(page.body, 'href="/admin/centres/1"', 'each line leads to the centre');
});

t.test('a centre far above its usual week is listed; the same volume spread over its usual weeks is not', async (t) => {
  const room = await kioskRoom(t);
  for (let i = 0; i < SURGE_FLOOR; i++) await startCandidate(room, { ip: `10.21.0.${i + 1}`, profile: PROFILES[i % 3] });
  const admin = await adminAgent(room.testApp);
  const surge = (body: string) => sectionText(body, 'volumes');
  t.match(
    surge((await admin.get('/admin/anomalies')).body),
    `centre0001 — Centre de démonstration AIPR ${SURGE_FLOOR} 0`,
    'twenty exams this week against none before',
  );

  // Those twenty a month ago become the centre's history: 2.5 a week, and twenty more this week is a surge again.
  await room.db
    .updateTable('exams')
    .set({ started_at: new Date(room.clock.now().getTime() - 30 * 24 * 60 * MINUTE).toISOString() })
    .execute();
  for (let i = 0; i < SURGE_FLOOR; i++) await startCandidate(room, { ip: `10.22.0.${i + 1}`, profile: PROFILES[i % 3] });
  t.match(surge((await admin.get('/admin/anomalies')).body), `centre0001 — Centre de démonstration AIPR ${SURGE_FLOOR} 2,5`, 'with its usual week');
  // Forty more a month ago: 60 in the history, 7.5 a week, and twenty is less than three times that.
  for (let i = 0; i < 2 * SURGE_FLOOR; i++) await startCandidate(room, { ip: `10.23.0.${i + 1}`, profile: PROFILES[i % 3] });
  await room.db
    .updateTable('exams')
    .set({ started_at: new Date(room.clock.now().getTime() - 30 * 24 * 60 * MINUTE).toISOString() })
    .where('started_at', '>', new Date(room.clock.now().getTime() - 60_000 * 60).toISOString())
    .where('id', '>', 2 * SURGE_FLOOR)
    .execute();
  t.match(surge((await admin.get('/admin/anomalies')).body), 'Aucun centre', 'the same week against a usual 7.5 is no surge');
});

t.test('administrators only', async (t) => {
  const room = await kioskRoom(t);
  const manager = await managerAgent(room.testApp);
  t.equal((await manager.get('/admin/anomalies')).statusCode, 403);
});
