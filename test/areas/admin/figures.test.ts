/**
 * The national figures (issue 15): the dashboard and a centre's figures against exams counted by
 * hand, sat through the real lifecycles (tokens generated, exams started, scored, cancelled); each
 * chart's SVG against the table beside it; the period filter and its errors; the CSV; the counters
 * against a recount of the exams, and against what migration 0020 rebuilds from them.
 */
import t, { type Test } from 'tap';
import type { Kysely } from 'kysely';
import * as m0020 from '../../../migrations/0020_exam_figures.js';
import { cancelExam } from '../../../src/areas/centre/exams/lifecycle.js';
import { createSession, openSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import type { Clock } from '../../../src/clock.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { finishExam, startExam } from '../../../src/services/exam/lifecycle.js';
import type { Database } from '../../../src/db/schema.js';
import { parisMonth } from '../../../src/domain/paris-time.js';
import { CLI_ACTOR } from '../../../src/services/audit.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { publishDemoQuestionnaire, twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';
import { decodeEntities, h1, visibleText as pageText } from '../../helpers/html.js';
import { pastSession } from '../../helpers/past-sessions.js';

/** The page's text, French non-breaking spaces (« 57,1 % ») as plain ones. */
const visibleText = (html: string) => pageText(html).replace(/\u00a0/g, ' ');

/**
 * By hand, the test's clock being 29 November 2026:
 * - centre A, 40 days before (October): three « opérateur » exams, two passed (60/60), one failed (0/60);
 * - centre A, 3 days before (November): one « concepteur » passed (80/80), one « opérateur » failed,
 *   one « opérateur » still running;
 * - centre B, 3 days before: one failed, two passed, one of these then cancelled.
 * Scored: 7, passed 4 (57,1 %); cancelled 1; running 1; tokens generated 9 (one per sitting), used 9;
 * average 260 points of 440 (59,1 %). October: 3 opérateur; November: 1 concepteur, 3 opérateur.
 * Per profile: concepteur 1 of 1 (100 %), opérateur 3 of 6 (50 %). Centre A: 3 of 5 (60 %), its
 * opérateur 2 of 4 (120 points of 240); centre B: 1 of 2 (50 %).
 */
async function handCounted(t: Test): Promise<TwoCentres & { admin: Agent }> {
  const ctx = await twoCentres(t);
  await publishDemoQuestionnaire(ctx.db, ctx.testApp.clock, 'concepteur');
  await pastSession(ctx, ctx.centreA, 40, [
    { identity: { lastName: 'Un', firstName: 'A' }, outcome: 'passed' },
    { identity: { lastName: 'Deux', firstName: 'A' }, outcome: 'passed' },
    { identity: { lastName: 'Trois', firstName: 'A' }, outcome: 'failed' },
  ]);
  await pastSession(ctx, ctx.centreA, 3, [
    { identity: { lastName: 'Quatre', firstName: 'A' }, profile: 'concepteur', outcome: 'passed' },
    { identity: { lastName: 'Cinq', firstName: 'A' }, outcome: 'failed' },
    { identity: { lastName: 'Six', firstName: 'A' }, outcome: 'running' },
  ]);
  const b = await pastSession(ctx, ctx.centreB, 3, [
    { identity: { lastName: 'Un', firstName: 'B' }, outcome: 'failed' },
    { identity: { lastName: 'Deux', firstName: 'B' }, outcome: 'passed' },
    { identity: { lastName: 'Trois', firstName: 'B' }, outcome: 'passed' },
  ]);
  const cancelled = await cancelExam(
    ctx.db,
    ctx.testApp.clock,
    { centreId: ctx.centreB, examId: b.examIds[2]!, reason: 'Fraude constatée' },
    { actor: CLI_ACTOR },
  );
  if (!cancelled?.ok) throw new Error('cancellation refused');
  const admin = await accountAgent(ctx.testApp, { email: 'admin@figures.test', role: 'admin' });
  return { ...ctx, admin };
}

/** A table of the page by its caption: header cell of each row → its other cells. */
function table(html: string, caption: string): Map<string, string[]> {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  if (start < 0) throw new Error(`no table « ${caption} »`);
  const body = html.slice(start, html.indexOf('</table>', start));
  const rows = new Map<string, string[]>();
  for (const row of body.matchAll(/<tr><th scope="row">(.*?)<\/th>(.*?)<\/tr>/gs)) {
    rows.set(
      visibleText(row[1]!),
      [...row[2]!.matchAll(/<td>(.*?)<\/td>/gs)].map((c) => visibleText(c[1]!)),
    );
  }
  return rows;
}

function columns(html: string, caption: string): string[] {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  const head = html.slice(start, html.indexOf('</thead>', start));
  return [...head.matchAll(/<th scope="col">(.*?)<\/th>/g)].map((m) => visibleText(m[1]!));
}

/** Each bar of a chart: its title (« octobre 2026 — Opérateur : 3 »), split. */
function bars(html: string, id: string): { category: string; series: string | null; value: string }[] {
  const start = html.indexOf(`id="${id}-graphique-titre"`);
  if (start < 0) throw new Error(`no chart ${id}`);
  const svg = html.slice(start, html.indexOf('</svg>', start));
  return [...svg.matchAll(/<rect [^>]*data-valeur[^>]*><title>(.*?)<\/title><\/rect>/g)].map((m) => {
    const title = decodeEntities(m[1]!).replace(/\u00a0/g, ' ');
    const [name, value] = title.split(' : ') as [string, string];
    const [category, series] = name.split(' — ') as [string, string | undefined];
    return { category, series: series ?? null, value };
  });
}

/** The chart and the table beside it say the same: every bar is its cell, every non-empty cell a bar. */
function agree(t: Test, html: string, id: string, caption: string, seriesColumns: Record<string, string>) {
  const rows = table(html, caption);
  const cols = columns(html, caption).slice(1);
  let checked = 0;
  for (const bar of bars(html, id)) {
    const column = bar.series === null ? Object.values(seriesColumns)[0]! : seriesColumns[bar.series]!;
    const cell = rows.get(bar.category)?.[cols.indexOf(column)];
    t.ok(
      cell !== undefined && cell.startsWith(bar.value),
      `${id}: ${bar.category} ${bar.series ?? ''} is ${bar.value} in the chart and « ${cell} » in the table`,
    );
    checked += 1;
  }
  const cells = [...rows.values()].flatMap((cells) => Object.values(seriesColumns).map((c) => cells[cols.indexOf(c)]));
  t.equal(checked, cells.filter((c) => c !== undefined && c !== '—').length, `${id}: one bar per figure of the table`);
}

t.test('the dashboard shows the figures counted by hand, each chart agreeing with its table', async (t) => {
  const ctx = await handCounted(t);
  const page = await ctx.admin.get('/admin');
  t.equal(page.statusCode, 200);
  const text = visibleText(page.body);
  t.match(text, 'Chiffres de décembre 2025 à novembre 2026');
  for (const tile of [
    'Examens notés 7 et 1 annulé',
    'Taux de réussite 57,1 % 4 admis',
    'Note moyenne 59,1 % de la note maximale',
    'Jetons générés 9',
    'Jetons utilisés 9 dont 1 examen en cours',
    'Centres actifs 2',
  ]) {
    t.match(text, tile, tile);
  }
  const months = table(page.body, 'Examens notés par mois et par profil');
  t.same(months.get('octobre 2026'), ['0', '0', '3', '3']);
  t.same(months.get('novembre 2026'), ['1', '0', '3', '4']);
  t.same(months.get('septembre 2026'), ['0', '0', '0', '0']);
  t.equal(months.size, 12, 'twelve months by default');
  const profiles = table(page.body, 'Taux de réussite et note moyenne par profil');
  t.same(profiles.get('Concepteur'), ['100 % (1 sur 1)', '100 %']);
  t.same(profiles.get('Opérateur'), ['50 % (3 sur 6)', '50 %']);
  t.same(profiles.get('Encadrant'), ['—', '—']);
  t.same(table(page.body, 'Jetons générés et utilisés par mois').get('novembre 2026'), ['6', '6']);
  t.same(table(page.body, 'Jetons générés et utilisés par mois').get('octobre 2026'), ['3', '3']);
  const bands = table(page.body, 'Nombre de centres par tranche de taux de réussite');
  t.same(bands.get('50 à moins de 60 %'), ['1'], 'B, 1 of 2');
  t.same(bands.get('60 à moins de 70 %'), ['1'], 'A, 3 of 5');
  t.same([...bands.values()].flat(), ['0', '0', '0', '0', '0', '1', '1', '0', '0', '0']);

  agree(t, page.body, 'examens-par-mois', 'Examens notés par mois et par profil', { Concepteur: 'Concepteur', Encadrant: 'Encadrant', Opérateur: 'Opérateur' });
  agree(t, page.body, 'reussite-par-profil', 'Taux de réussite et note moyenne par profil', { 'Taux de réussite': 'Taux de réussite' });
  agree(t, page.body, 'reussite-par-version', 'Taux de réussite et note moyenne par version de questionnaire', { 'Taux de réussite': 'Taux de réussite' });
  agree(t, page.body, 'jetons-par-mois', 'Jetons générés et utilisés par mois', { Générés: 'Générés', Utilisés: 'Utilisés' });
  agree(t, page.body, 'centres-par-taux', 'Nombre de centres par tranche de taux de réussite', { Centres: 'Centres' });

  const busiest = visibleText(page.body.slice(page.body.indexOf('id="centres-les-plus-actifs"')));
  t.match(busiest, /centre0001 — Centre A de Lyon 5 60 %.*centre0002 — Centre B de Lille 2 50 %/s, 'the centres by exams scored');
  t.match(text, 'Aucun centre ne se distingue sur cette période.');
});

t.test('a period of months, and a period refused at its field', async (t) => {
  const ctx = await handCounted(t);
  const november = visibleText((await ctx.admin.get('/admin?du=2026-11&au=2026-11')).body);
  t.match(november, 'Chiffres de novembre 2026');
  t.match(november, 'Examens notés 4 et 1 annulé');
  t.match(november, 'Taux de réussite 50 % 2 admis');

  const reversed = await ctx.admin.get('/admin?du=2026-11&au=2026-10');
  t.equal(reversed.statusCode, 400);
  t.match(reversed.body, /id="periode-au-erreur" class="fr-error-text">Le mois de fin ne peut pas précéder le mois de début\./);
  t.match(reversed.body, /<option value="2026-11" selected>novembre 2026<\/option>/, 'what was chosen stays chosen');
  t.match(reversed.body, /<option value="2026-10" selected>octobre 2026<\/option>/);
  t.notMatch(reversed.body, 'Examens notés par mois', 'no figures for a refused period');
  t.match(h1(reversed.body) ?? '', 'Administration nationale');

  const future = await ctx.admin.get('/admin?du=2027-01');
  t.equal(future.statusCode, 400);
  t.match(visibleText(future.body), 'Choisissez un mois de la liste, de décembre 2025 à novembre 2026.');
  t.equal((await ctx.admin.get('/admin/chiffres.csv?du=2026-11&au=2026-10')).statusCode, 400);
});

t.test('a centre’s figures, the national rates beside its own', async (t) => {
  const ctx = await handCounted(t);
  const show = await ctx.admin.get(`/admin/centres/${ctx.centreA}`);
  t.match(show.body, `href="/admin/centres/${ctx.centreA}/chiffres"`, 'reachable from the centre’s page');
  const page = await ctx.admin.get(`/admin/centres/${ctx.centreA}/chiffres`);
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Chiffres du centre Centre A de Lyon');
  const text = visibleText(page.body);
  t.match(text, 'Examens notés 5');
  t.match(text, 'Taux de réussite 60 % 3 admis');
  t.match(text, 'Jetons utilisés 6 dont 1 examen en cours');
  const profiles = table(page.body, 'Taux de réussite et note moyenne par profil');
  t.same(profiles.get('Opérateur'), ['50 % (2 sur 4)', '50 %', '50 %']);
  t.same(profiles.get('Concepteur'), ['100 % (1 sur 1)', '100 %', '100 %']);
  agree(t, page.body, 'reussite-par-profil', 'Taux de réussite et note moyenne par profil', {
    Centre: 'Taux de réussite du centre',
    National: 'Taux national',
  });
  t.notMatch(text, 'nettement', 'five exams set no centre apart');
  t.equal((await ctx.admin.get('/admin/centres/999/chiffres')).statusCode, 404);
});

t.test('the CSV lists the counters by month, centre and version', async (t) => {
  const ctx = await handCounted(t);
  const csv = await ctx.admin.get('/admin/chiffres.csv?du=2026-10&au=2026-11');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], 'text/csv');
  t.match(csv.headers['content-disposition'], 'attachment; filename="chiffres-2026-10-2026-11.csv"');
  const lines = csv.body
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  t.equal(
    lines[0],
    'Mois;Centre;Nom du centre;Profil;Version;Examens notés;Admis;Taux de réussite (%);Note moyenne;Note maximale;Examens annulés;Jetons générés',
  );
  t.ok(
    lines.some((l) => /^2026-10;centre0001;Centre A de Lyon;Opérateur;[^;]+;3;2;66,7;40;60;0;3$/.test(l)),
    'October of centre A',
  );
  t.ok(
    lines.some((l) => /^2026-11;centre0002;Centre B de Lille;Opérateur;[^;]+;2;1;50;30;60;1;3$/.test(l)),
    'the cancelled exam left the scored ones',
  );
  t.equal(lines.length, 1 + 4, 'A October, A November (two versions), B November');
  const own = await ctx.admin.get(`/admin/centres/${ctx.centreB}/chiffres.csv?du=2026-10&au=2026-11`);
  t.equal(
    own.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n').length,
    2,
    'a centre’s CSV holds its rows alone',
  );
});

/**
 * The counters recomputed from the exams and token tables, the plain way. It takes the month with the
 * app's own parisMonth: its boundaries are tested in test/domain/paris-time.test.ts.
 */
async function recount(db: Kysely<Database>) {
  const counters = new Map<string, number[]>();
  const row = (month: string, centre: number, questionnaire: number) => {
    const key = `${month}|${centre}|${questionnaire}`;
    if (!counters.has(key)) counters.set(key, [0, 0, 0, 0, 0, 0]);
    return counters.get(key)!;
  };
  for (const e of await db.selectFrom('exams').selectAll().where('finished_at', 'is not', null).execute()) {
    const r = row(parisMonth(new Date(e.started_at)), e.centre_id, e.questionnaire_id);
    if (e.cancelled_at) r[2]! += 1;
    else {
      r[0]! += 1;
      r[1]! += e.passed ?? 0;
      r[3]! += e.score ?? 0;
      r[4]! += e.maximum ?? 0;
    }
  }
  for (const b of await db.selectFrom('token_batches').selectAll().execute())
    row(parisMonth(new Date(b.created_at)), b.centre_id, b.questionnaire_id)[5]! += b.size;
  return [...counters.entries()].sort(([a], [b]) => a.localeCompare(b));
}

async function stored(db: Kysely<Database>) {
  const rows = await db.selectFrom('exam_figures').selectAll().execute();
  return rows
    .map((r) => [
      `${r.month}|${r.centre_id}|${r.questionnaire_id}`,
      [r.finished, r.passed, r.cancelled, r.score_sum, r.maximum_sum, r.tokens_issued].map(Number),
    ])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
}

t.test('the counters the lifecycles keep are the exams recounted, and what migration 0020 rebuilds', async (t) => {
  const ctx = await handCounted(t);
  const kept = await stored(ctx.db);
  t.same(kept, await recount(ctx.db));
  await m0020.down(ctx.db as Kysely<unknown>);
  await m0020.up(ctx.db as Kysely<unknown>);
  t.same(await stored(ctx.db), kept, 'the migration’s backfill gives the same counters');
});

t.test('through the lifecycles: an exam across the month’s end, a running exam cancelled, tokens in a month without exams', async (t) => {
  const ctx = await twoCentres(t);
  const db = ctx.db;
  // 31 October 2026 in Paris is UTC+1 (summer time ended on the 25th): 23:50 there is 22:50Z.
  const at = (iso: string): Clock => ({ now: () => new Date(iso) });
  const created = await createSession(
    db,
    at('2026-10-31T21:00:00Z'),
    ctx.centreA,
    { date: '2026-10-31', startTime: '23:30', room: 'Salle A', supervisor: 'M. Test' },
    { actor: CLI_ACTOR },
  );
  if (!created.ok) throw new Error('session refused');
  await openSession(db, at('2026-10-31T22:40:00Z'), { id: ctx.centreA, status: 'active', suspensionReason: null }, created.sessionId, { actor: CLI_ACTOR });
  await generateTokens(db, at('2026-10-31T22:45:00Z'), { centreId: ctx.centreA, profile: 'operateur', count: 2, actorLabel: 'CLI' });
  await generateTokens(db, at('2026-09-15T08:00:00Z'), { centreId: ctx.centreB, profile: 'operateur', count: 5, actorLabel: 'CLI' });
  const tokens = await db.selectFrom('exam_tokens').select('id').where('centre_id', '=', ctx.centreA).orderBy('id').execute();
  const identity = { lastName: 'Tard', firstName: 'Léa', birthDate: '1990-01-01', company: null, companyAddress: null };
  const start = async (iso: string, tokenId: number) => {
    const started = await startExam(db, at(iso), { centreId: ctx.centreA, tokenId, examSessionId: created.sessionId, identity });
    if (!started.ok) throw new Error(started.message);
    return started.examId;
  };
  const late = await start('2026-10-31T22:50:00Z', tokens[0]!.id);
  const running = await start('2026-10-31T22:55:00Z', tokens[1]!.id);
  await finishExam(db, at('2026-10-31T23:10:00Z'), late, 'candidat');
  const cancelled = await cancelExam(
    db,
    at('2026-10-31T23:12:00Z'),
    { centreId: ctx.centreA, examId: running, reason: 'Malaise du candidat' },
    { actor: CLI_ACTOR },
  );
  t.ok(cancelled?.ok, 'the running exam is cancelled');

  t.same(await stored(db), await recount(db), 'the counters are the recount');
  const rows = await db.selectFrom('exam_figures').selectAll().orderBy('month').execute();
  t.match(
    rows.map((r) => [r.month, r.centre_id, Number(r.finished), Number(r.cancelled), Number(r.tokens_issued)]),
    [
      ['2026-09', ctx.centreB, 0, 0, 5],
      ['2026-10', ctx.centreA, 1, 1, 2],
    ],
    'the exam ended on 1 November (Paris) counts in October, when it started; the cancelled one was never scored',
  );
  const admin = await accountAgent(ctx.testApp, { email: 'admin@figures.test', role: 'admin' });
  const text = visibleText((await admin.get('/admin?du=2026-09&au=2026-11')).body);
  t.match(text, 'Examens notés 1 et 1 annulé');
  t.match(text, 'Jetons générés 7');
  t.same(table((await admin.get('/admin?du=2026-09&au=2026-11')).body, 'Jetons générés et utilisés par mois').get('septembre 2026'), ['5', '0']);
});

t.test('only the national administration sees the figures', async (t) => {
  const ctx = await handCounted(t);
  const anonymous = new Agent(ctx.testApp.app, '127.0.0.9');
  for (const path of ['/admin', '/admin/chiffres.csv', `/admin/centres/${ctx.centreA}/chiffres`, `/admin/centres/${ctx.centreA}/chiffres.csv`]) {
    t.equal((await ctx.managerA.get(path)).statusCode, 403, `${path}: a manager is refused`);
    const visitor = await anonymous.get(path);
    t.equal(visitor.statusCode, 302, `${path}: a visitor is sent to the sign-in`);
    t.match(visitor.headers.location, /^\/connexion/);
  }
});
