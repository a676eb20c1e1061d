import t from 'tap';
import { Agent } from '../../helpers/app.js';
import { enter, IDENTITY, kioskRoom, startCandidate } from '../../helpers/kiosk.js';

t.test('a crashed terminal resumes its exam even after the manager closed the session', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room);
  await room.db.updateTable('exam_sessions').set({ status: 'closed', closed_at: room.clock.now().toISOString() }).execute();

  const other = new Agent(room.app, '10.0.0.2');
  const entered = await enter(other, candidate.token);
  t.equal(entered.headers.location, '/examen/reprise', 'the exam in progress is found again');
  await other.get('/examen/reprise');
  const resumed = await other.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(resumed.statusCode, 303);
  t.match(resumed.headers.location, /^\/examen\/question\/\d+$/, 'back on the exam');

  const fresh = new Agent(room.app, '10.0.0.3');
  const refused = await enter(fresh, room.takeToken());
  t.match(refused.body, 'Aucune session d’examen n’est ouverte', 'a new exam still needs an open session');
});

t.test('the next candidate gets an empty entry form, not the result left on the terminal', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room);
  await candidate.agent.post('/examen/terminer', {});
  t.equal((await candidate.agent.get('/examen/resultat')).statusCode, 200, 'the result is shown to the candidate');
  const next = await candidate.agent.get('/examen');
  t.equal(next.statusCode, 200);
  t.match(next.body, 'name="jeton"', 'the entry form');
  t.notMatch(next.body, IDENTITY.nom, 'nothing of the previous candidate');
  t.equal((await candidate.agent.get('/examen/resultat')).headers.location, '/examen', 'the result is no longer reachable');
});

t.test('a token revoked between the entry and « Commencer » says it is no longer valid', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.0.4');
  const token = room.takeToken();
  await enter(agent, token);
  await agent.get('/examen/identite');
  await agent.post('/examen/identite', { ...IDENTITY });
  await room.db.updateTable('exam_tokens').set({ status: 'revoked' }).where('code', '=', token.replace(/-/g, '')).execute();
  const start = await agent.post('/examen/commencer', {});
  t.equal(start.statusCode, 409);
  t.match(start.body, 'Ce jeton n’est plus valable.');
  t.notMatch(start.body, 'vient d’être utilisé');
});
