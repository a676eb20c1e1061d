import t from 'tap';
import { findOpenSessions, sessionsOfDay } from '../../../src/services/exam/sessions.js';
import { signedInAgent } from '../../helpers/agents.js';
import { MANAGER_A, suspendCentre, twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';
import { field, h1, visibleText } from '../../helpers/html.js';

// The test clock starts at 2026-11-29T09:00:00Z: 10:00 on Sunday 29 November 2026 in Paris.
const TODAY = '2026-11-29';
const DAY = 24 * 60 * 60 * 1000;

async function createThroughForm(ctx: TwoCentres, fields: { date: string; heure_debut: string; salle: string; surveillant: string }): Promise<number> {
  await ctx.managerA.get('/centre/sessions/nouvelle');
  const res = await ctx.managerA.post('/centre/sessions/nouvelle', fields);
  if (res.statusCode !== 303) throw new Error(`creation failed: ${res.statusCode} ${visibleText(res.body).slice(0, 300)}`);
  return Number(/^\/centre\/sessions\/(\d+)$/.exec(String(res.headers.location))![1]);
}

async function stored(ctx: TwoCentres, id: number) {
  return ctx.db.selectFrom('exam_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

t.test('creating a session: every mistake at its field, what was typed kept', async (t) => {
  const ctx = await twoCentres(t);
  const form = await ctx.managerA.get('/centre/sessions/nouvelle');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Créer une session d’examen');
  t.match(form.body, `id="date" name="date" min="${TODAY}" value="${TODAY}"`, 'today is proposed');

  const empty = await ctx.managerA.post('/centre/sessions/nouvelle', { date: '', heure_debut: '', salle: ' ', surveillant: '' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'date').error, 'Indiquez la date de la session.');
  t.equal(field(empty.body, 'heure_debut').error, 'Indiquez l’heure de début.');
  t.equal(field(empty.body, 'salle').error, 'Indiquez la salle.');
  t.equal(field(empty.body, 'surveillant').error, 'Indiquez le nom du surveillant.');
  t.match(empty.body, 'aria-describedby="salle-erreur" aria-invalid="true"', 'the message is tied to its field');

  const wrong = await ctx.managerA.post('/centre/sessions/nouvelle', {
    date: '2026-11-28',
    heure_debut: '9h30',
    salle: 'Salle <B> & co',
    surveillant: 'Jean "Jo" Dupont',
  });
  t.equal(wrong.statusCode, 400);
  t.equal(field(wrong.body, 'date').error, 'La date ne peut pas être passée : une session se prépare pour aujourd’hui ou un jour à venir.');
  t.equal(field(wrong.body, 'heure_debut').error, 'L’heure de début doit être au format HH:MM, par exemple 09:30.');
  t.equal(field(wrong.body, 'salle').error, null, 'the room is fine');
  t.match(wrong.body, 'name="date" min="2026-11-29" value="2026-11-28"');
  t.match(wrong.body, 'name="heure_debut" value="9h30"');
  t.match(wrong.body, 'name="salle" maxlength="100" value="Salle &lt;B&gt; &amp; co"', 'kept, and escaped');
  t.match(wrong.body, 'value="Jean &quot;Jo&quot; Dupont"');
  const invalidDate = await ctx.managerA.post('/centre/sessions/nouvelle', { date: '2026-02-30', heure_debut: '09:30', salle: 'A', surveillant: 'B' });
  t.equal(field(invalidDate.body, 'date').error, 'La date doit être une date du calendrier au format AAAA-MM-JJ, par exemple 2026-12-01.');
  t.equal((await ctx.db.selectFrom('exam_sessions').select('id').execute()).length, 0, 'nothing stored');

  const id = await createThroughForm(ctx, { date: TODAY, heure_debut: '14:00', salle: ' Salle 3 ', surveillant: 'Marie Curie' });
  const row = await stored(ctx, id);
  t.same(
    { centre: row.centre_id, date: row.date, time: row.start_time, room: row.room, supervisor: row.supervisor, status: row.status },
    { centre: ctx.centreA, date: TODAY, time: '14:00', room: 'Salle 3', supervisor: 'Marie Curie', status: 'planned' },
  );
  const page = await ctx.managerA.get(`/centre/sessions/${id}`);
  t.equal(h1(page.body), 'Session du dimanche 29 novembre 2026');
  t.match(visibleText(page.body), 'La session est créée.');
  t.match(page.body, '>Planifiée</p>');
  const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'session.creee').executeTakeFirstOrThrow();
  t.equal(audit.actor_label, MANAGER_A);
  t.equal(audit.target_id, String(id));
});

t.test('the list shows today’s sessions first, then upcoming, then past', async (t) => {
  const ctx = await twoCentres(t);
  const nextWeek = await createThroughForm(ctx, { date: '2026-12-06', heure_debut: '09:00', salle: 'Salle semaine', surveillant: 'S1' });
  const tomorrow = await createThroughForm(ctx, { date: '2026-11-30', heure_debut: '09:00', salle: 'Salle demain', surveillant: 'S2' });
  const todayLate = await createThroughForm(ctx, { date: TODAY, heure_debut: '15:00', salle: 'Salle après-midi', surveillant: 'S3' });
  const todayEarly = await createThroughForm(ctx, { date: TODAY, heure_debut: '08:30', salle: 'Salle matin', surveillant: 'S4' });
  const insertPast = (date: string, room: string) =>
    ctx.db
      .insertInto('exam_sessions')
      .values({ centre_id: ctx.centreA, date, start_time: '09:00', room, supervisor: 'S', status: 'closed', created_at: '2026-01-01T00:00:00.000Z' })
      .execute();
  await insertPast('2026-11-01', 'Salle novembre');
  await insertPast('2026-10-01', 'Salle octobre');
  await ctx.db
    .insertInto('exam_sessions')
    .values({
      centre_id: ctx.centreB,
      date: TODAY,
      start_time: '09:00',
      room: 'Salle de B',
      supervisor: 'S',
      status: 'planned',
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();

  const res = await ctx.managerA.get('/centre/sessions');
  t.equal(res.statusCode, 200);
  const rooms = [...res.body.matchAll(/<td>(Salle [^<]+)<\/td>/g)].map((m) => m[1]);
  t.same(rooms, ['Salle matin', 'Salle après-midi', 'Salle demain', 'Salle semaine', 'Salle novembre'], 'the past: its last 30 days');
  const archives = await ctx.managerA.get('/centre/archives');
  t.match(archives.body, 'Salle octobre', 'an older session is in the archives');
  const text = visibleText(res.body);
  t.ok(text.indexOf('Aujourd’hui, dimanche 29 novembre 2026') < text.indexOf('À venir'));
  t.ok(text.indexOf('À venir') < text.indexOf('Passées'));
  t.notMatch(res.body, 'Salle de B', 'another centre’s session is not listed');

  const today = await sessionsOfDay(ctx.db, ctx.centreA, ctx.testApp.clock.now());
  t.same(
    today.map((s) => s.id),
    [todayEarly, todayLate],
    'sessionsOfDay, by start time',
  );
  t.ok(nextWeek && tomorrow);
});

t.test('open on the day, close with a confirmation, never reopen', async (t) => {
  const ctx = await twoCentres(t);
  const today = await createThroughForm(ctx, { date: TODAY, heure_debut: '09:00', salle: 'Salle 1', surveillant: 'S' });
  const tomorrow = await createThroughForm(ctx, { date: '2026-11-30', heure_debut: '09:00', salle: 'Salle 2', surveillant: 'S' });

  const early = await ctx.managerA.post(`/centre/sessions/${tomorrow}/ouvrir`, {});
  t.equal(early.statusCode, 303);
  const earlyPage = await ctx.managerA.get(`/centre/sessions/${tomorrow}`);
  t.match(visibleText(earlyPage.body), 'Cette session est prévue le lundi 30 novembre 2026 : elle ne pourra être ouverte que ce jour-là.');
  t.equal((await stored(ctx, tomorrow)).status, 'planned');
  t.notMatch(earlyPage.body, `action="/centre/sessions/${tomorrow}/ouvrir"`, 'no open button before the day');

  const before = await ctx.managerA.get(`/centre/sessions/${today}`);
  t.match(before.body, `action="/centre/sessions/${today}/ouvrir"`, 'an open button on the day');
  t.notMatch(before.body, `href="/centre/sessions/${today}/fermer"`);
  const opened = await ctx.managerA.post(`/centre/sessions/${today}/ouvrir`, {});
  t.equal(opened.statusCode, 303);
  t.equal(opened.headers.location, `/centre/sessions/${today}`);
  const openPage = await ctx.managerA.get(`/centre/sessions/${today}`);
  t.match(visibleText(openPage.body), 'La session est ouverte : les candidats peuvent commencer leur examen');
  t.match(openPage.body, '>Ouverte</p>');
  t.match(visibleText(openPage.body), 'Ouverte le 29/11/2026 à 10 h 00');
  const row = await stored(ctx, today);
  t.same({ status: row.status, opened_at: row.opened_at }, { status: 'open', opened_at: '2026-11-29T09:00:00.000Z' });
  t.same(
    (await findOpenSessions(ctx.db, ctx.centreA, ctx.testApp.clock.now())).map((s) => s.id),
    [today],
  );

  await ctx.managerA.post(`/centre/sessions/${today}/ouvrir`, {});
  t.match(visibleText((await ctx.managerA.get(`/centre/sessions/${today}`)).body), 'Cette session est déjà ouverte.');

  ctx.testApp.clock.advance(60 * 60 * 1000 - 1);
  const agent = await signedInAgent(ctx.testApp, MANAGER_A);
  const confirm = await agent.get(`/centre/sessions/${today}/fermer`);
  t.equal(confirm.statusCode, 200);
  t.equal(h1(confirm.body), 'Fermer la session du dimanche 29 novembre 2026 ?');
  t.match(
    confirm.body,
    `<a class="fr-breadcrumb__link" href="/centre/sessions/${today}">Session du dimanche 29 novembre 2026</a>`,
    'the breadcrumb leads back to the session',
  );
  t.match(confirm.body, `<form method="post" action="/centre/sessions/${today}/fermer">`);
  t.equal((await stored(ctx, today)).status, 'open', 'the confirmation page changes nothing');
  const closed = await agent.post(`/centre/sessions/${today}/fermer`, {});
  t.equal(closed.statusCode, 303);
  const closedPage = await agent.get(`/centre/sessions/${today}`);
  t.match(
    visibleText(closedPage.body),
    'La session est fermée : plus aucun examen ne peut y commencer ; les candidats qui composaient encore terminent leur examen.',
  );
  t.match(closedPage.body, '>Fermée</p>');
  t.equal((await stored(ctx, today)).closed_at, '2026-11-29T09:59:59.999Z');
  t.same(await findOpenSessions(ctx.db, ctx.centreA, ctx.testApp.clock.now()), []);

  await agent.post(`/centre/sessions/${today}/ouvrir`, {});
  t.match(visibleText((await agent.get(`/centre/sessions/${today}`)).body), 'Une session fermée ne peut pas être rouverte.');
  t.equal((await stored(ctx, today)).status, 'closed');
  const again = await agent.get(`/centre/sessions/${today}/fermer`);
  t.equal(again.statusCode, 303, 'no confirmation page for a closed session');
  t.match(visibleText((await agent.get(`/centre/sessions/${today}`)).body), 'Cette session est déjà fermée.');

  const planned = await agent.post(`/centre/sessions/${tomorrow}/fermer`, {});
  t.equal(planned.statusCode, 303);
  t.match(visibleText((await agent.get(`/centre/sessions/${tomorrow}`)).body), 'Cette session n’a pas été ouverte : il n’y a rien à fermer.');

  const actions = (await ctx.db.selectFrom('audit_log').select('action').where('action', 'like', 'session.%').orderBy('id').execute()).map((r) => r.action);
  t.same(actions, ['session.creee', 'session.creee', 'session.ouverte', 'session.fermee']);
});

t.test('an open session closes by itself at the end of its day, and is stored closed when next read', async (t) => {
  const ctx = await twoCentres(t);
  const id = await createThroughForm(ctx, { date: TODAY, heure_debut: '09:00', salle: 'Salle 1', surveillant: 'S' });
  await ctx.managerA.post(`/centre/sessions/${id}/ouvrir`, {});
  t.equal((await stored(ctx, id)).status, 'open');

  ctx.testApp.clock.set('2026-11-29T22:59:59.000Z');
  t.equal((await findOpenSessions(ctx.db, ctx.centreA, ctx.testApp.clock.now())).length, 1, 'still open at 23:59:59 in Paris');
  ctx.testApp.clock.set('2026-11-29T23:00:00.000Z');
  t.equal((await findOpenSessions(ctx.db, ctx.centreA, ctx.testApp.clock.now())).length, 0, 'not at midnight');

  ctx.testApp.clock.advance(DAY);
  const agent = await signedInAgent(ctx.testApp, MANAGER_A);
  const list = await agent.get('/centre/sessions');
  t.equal(list.statusCode, 200);
  const row = await stored(ctx, id);
  t.same({ status: row.status, closed_at: row.closed_at }, { status: 'closed', closed_at: '2026-11-29T22:59:59.999Z' }, 'closed at the end of its day');
  t.match(list.body, '>Fermée</p>');
  const page = await agent.get(`/centre/sessions/${id}`);
  t.match(visibleText(page.body), 'Fermée le 29/11/2026 à 23 h 59');
  t.notMatch(page.body, `/centre/sessions/${id}/fermer`, 'nothing to close');
  const auto = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'session.fermee_automatiquement').execute();
  t.equal(auto.length, 1, 'recorded once');
  t.equal(auto[0]?.actor_label, 'système');
  t.equal(auto[0]?.at, '2026-11-29T22:59:59.999Z');
});

t.test('a suspended centre cannot open a session', async (t) => {
  const ctx = await twoCentres(t);
  const id = await createThroughForm(ctx, { date: TODAY, heure_debut: '09:00', salle: 'Salle 1', surveillant: 'S' });
  await suspendCentre(ctx.db, ctx.centreA, 'Dossier incomplet');
  await ctx.managerA.post(`/centre/sessions/${id}/ouvrir`, {});
  t.match(
    visibleText((await ctx.managerA.get(`/centre/sessions/${id}`)).body),
    'Ce centre est suspendu : aucune session ne peut être ouverte. Motif de la suspension : Dossier incomplet.',
  );
  t.equal((await stored(ctx, id)).status, 'planned');
});

t.test('session pages carry no inline script and no on* attribute', async (t) => {
  const ctx = await twoCentres(t);
  const id = await createThroughForm(ctx, { date: TODAY, heure_debut: '09:00', salle: 'Salle 1', surveillant: 'S' });
  await ctx.managerA.post(`/centre/sessions/${id}/ouvrir`, {});
  for (const url of ['/centre/sessions', '/centre/sessions/nouvelle', `/centre/sessions/${id}`, `/centre/sessions/${id}/fermer`]) {
    const res = await ctx.managerA.get(url);
    t.equal(res.statusCode, 200, url);
    t.notMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, `${url}: no inline script`);
    t.notMatch(res.body, /\son[a-z]+=/i, `${url}: no on* attribute`);
  }
});
