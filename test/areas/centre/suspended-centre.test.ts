/**
 * A suspended centre, as its manager sees it (issue 16, major item 3): every page of the area says
 * so, with the reason and what carries on, and offers no action the platform would refuse.
 */
import t from 'tap';
import { createSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { suspendCentre, twoCentres } from '../../helpers/exam-fixtures.js';
import { visibleText } from '../../helpers/html.js';

const REASON = 'Contrôle de conformité en cours';
const NOTICE = `Ce centre est suspendu par l’administration nationale. Motif : ${REASON}.`;
const CARRY_ON = 'les examens déjà commencés se poursuivent jusqu’à leur fin';
const actor = { actor: { accountId: null, label: 'test' } };

t.test('every page of a suspended centre says it, and none offers what would be refused', async (t) => {
  const ctx = await twoCentres(t);
  const session = (room: string, startTime: string) =>
    createSession(ctx.db, ctx.testApp.clock, ctx.centreA, { date: '2026-11-29', startTime, room, supervisor: 'M. Surveillant' }, actor);
  const planned = await session('Salle A', '11:00');
  const open = await session('Salle B', '10:00');
  if (!planned.ok || !open.ok) throw new Error('sessions refused');
  await ctx.db.updateTable('exam_sessions').set({ status: 'open', opened_at: '2026-11-29T09:00:00.000Z' }).where('id', '=', open.sessionId).execute();

  const pages = [
    '/centre',
    '/centre/jetons',
    '/centre/sessions',
    `/centre/sessions/${planned.sessionId}`,
    `/centre/sessions/${open.sessionId}`,
    '/centre/sessions/nouvelle',
  ];
  const actions = [
    'href="/centre/jetons/nouvelle-table"',
    'href="/centre/sessions/nouvelle"',
    `action="/centre/sessions/${planned.sessionId}/ouvrir"`,
    'Les candidats peuvent commencer leur examen',
  ];
  const seen = async () => Promise.all(pages.map(async (path) => [path, (await ctx.managerA.get(path)).body] as const));

  // Before: the actions are there (so that their absence below means something).
  const before = (await seen()).map(([, body]) => body).join('\n');
  for (const action of actions) t.match(before, action, `an active centre offers ${action}`);
  t.notMatch(before, 'suspendu par l’administration nationale');

  await suspendCentre(ctx.db, ctx.centreA, REASON);
  for (const [path, body] of await seen()) {
    const text = visibleText(body);
    t.match(text, NOTICE, `${path} says the centre is suspended, and why`);
    t.match(text, CARRY_ON, `${path} says what carries on`);
    for (const action of actions) t.notMatch(body, action, `${path} offers no ${action}`);
  }
  const openPage = visibleText((await ctx.managerA.get(`/centre/sessions/${open.sessionId}`)).body);
  t.match(openPage, 'Le centre étant suspendu, aucun examen ne peut commencer dans cette session', 'the open session says no exam may start');
  const plannedPage = visibleText((await ctx.managerA.get(`/centre/sessions/${planned.sessionId}`)).body);
  t.match(plannedPage, 'Elle ne pourra être ouverte qu’une fois la suspension du centre levée.');

  // The centre's other manager-side forms refuse too, with the reason.
  const refused = await ctx.managerA.post('/centre/sessions/nouvelle', { date: '2026-11-30', heure_debut: '09:00', salle: 'Salle C', surveillant: 'S' });
  t.equal(refused.statusCode, 403);
  t.match(visibleText(refused.body), `Ce centre est suspendu : aucune session ne peut être créée. Motif de la suspension : ${REASON}.`);
  t.notMatch(refused.body, 'action="/centre/sessions/nouvelle"', 'no form to try again');
  const sessions = await ctx.db.selectFrom('exam_sessions').select('id').where('centre_id', '=', ctx.centreA).execute();
  t.equal(sessions.length, 2, 'no session was created');

  // The other centre is not affected.
  const other = visibleText((await ctx.managerB.get('/centre')).body);
  t.notMatch(other, 'suspendu');
});
