/**
 * Issue 14, « Beyond one machine »: two instances of the real server on one PostgreSQL, behind
 * nginx on loopback (test/helpers/instances.ts), driven over real HTTP. Nothing any instance keeps
 * in memory may decide a sign-in, a start, a finish or a number: what one instance did, the other
 * sees, and when both act at once, the database decides once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { systemClock } from '../../src/clock.js';
import { formatTokenCode } from '../../src/domain/token-code.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { ENROLMENT_PATH } from '../../src/plugins/auth.js';
import { SESSION_COOKIE } from '../../src/plugins/session.js';
import { currentTotp } from '../../src/services/accounts/second-factor.js';
import { centreDailyQuota } from '../../src/services/centres/token-quota.js';
import { TERMINAL_COOKIE } from '../../src/services/exam/admission.js';
import { DEMO_PASSWORD } from '../helpers/app.js';
import { decodeEntities, visibleText } from '../helpers/html.js';
import { HttpAgent, startInstances, type HttpResponse, type Topology } from '../helpers/instances.js';
import { alertText } from '../helpers/kiosk.js';
import { admissionCodeOf, CENTRE, CENTRE_ID, examByToken, examItems, expectedScore, IDENTITY, type ExamItem } from '../helpers/kiosk-room.js';
import { validSiret } from '../helpers/siret.js';

// Two servers to compile and start, a real deadline to wait for and a deadline sweep (every 15 s).
t.setTimeout(300_000);

const ACK = /^<span class="k-saved" data-repondue="[01]">Réponse enregistrée\.<\/span>$/;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function excerpt(res: HttpResponse): string {
  return visibleText(res.body).slice(0, 300);
}

/** The response, if it has this status (and goes there); otherwise throws, saying what came instead. */
function expectResponse(step: string, res: HttpResponse, status: number, location?: string): HttpResponse {
  if (res.status !== status || (location !== undefined && res.location !== location)) {
    throw new Error(`${step}: expected ${status}${location ? ` → ${location}` : ''}, got ${res.status} → ${res.location ?? '-'} (${excerpt(res)})`);
  }
  return res;
}

/** Polls `check` until it gives a value; a generous limit only keeps a broken run from hanging. */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined>, limitMs = 60_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > until) throw new Error(`still not ${what} after ${limitMs} ms`);
    await pause(200);
  }
}

const top = await startInstances(t);
if (top) await scenarios(top);

async function scenarios(top: Topology) {
  const db = top.db;
  const [first, second] = top.instances as [Topology['instances'][number], Topology['instances'][number]];

  const demoSession = await db
    .selectFrom('exam_sessions')
    .select('id')
    .where('centre_id', '=', CENTRE_ID)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  const operatorBank = await db
    .selectFrom('questionnaires')
    .select('id')
    .where('profile', '=', 'operateur')
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  const tokenPool = (
    await db
      .selectFrom('exam_tokens')
      .select('code')
      .where('centre_id', '=', CENTRE_ID)
      .where('questionnaire_id', '=', operatorBank.id)
      .where('status', '=', 'available')
      .orderBy('id')
      .execute()
  ).map((r) => formatTokenCode(r.code));
  const takeToken = () => {
    const token = tokenPool.shift();
    if (!token) throw new Error('no operator token left in the demo stock');
    return token;
  };

  /** The supervisor admits the terminal with the code the room view shows (read from the database). */
  async function admit(agent: HttpAgent, label: string, via?: string) {
    const code = await admissionCodeOf(db, systemClock, demoSession.id);
    expectResponse('GET /examen', await agent.get('/examen', { via }), 200);
    expectResponse('POST /examen/poste', await agent.post('/examen/poste', { centre: CENTRE, code_session: code, poste: label }, { via }), 303, '/examen');
    if (!agent.cookies.has(TERMINAL_COOKIE)) throw new Error('the terminal got no admission cookie');
  }

  /** Centre ID and token, identity: the agent ends on the rules page. */
  async function reachRules(agent: HttpAgent, token: string, via?: string) {
    expectResponse('GET /examen', await agent.get('/examen', { via }), 200);
    expectResponse('POST /examen', await agent.post('/examen', { centre: CENTRE, jeton: token }, { via }), 303, '/examen/identite');
    expectResponse('GET /examen/identite', await agent.get('/examen/identite', { via }), 200);
    expectResponse('POST /examen/identite', await agent.post('/examen/identite', { ...IDENTITY }, { via }), 303, '/examen/consignes');
    expectResponse('GET /examen/consignes', await agent.get('/examen/consignes', { via }), 200);
  }

  interface Candidate {
    agent: HttpAgent;
    token: string;
    examId: number;
    /** The first question's page, as the start left the terminal on it. */
    page: HttpResponse;
  }

  /** A candidate through the whole entry up to « Commencer », on a terminal of their own, through nginx. */
  async function startCandidate(ip: string): Promise<Candidate> {
    const agent = new HttpAgent(top.url, ip);
    const token = takeToken();
    await admit(agent, `Poste ${ip}`);
    await reachRules(agent, token);
    expectResponse('POST /examen/commencer', await agent.post('/examen/commencer', {}), 303, '/examen/question/1');
    const page = expectResponse('GET /examen/question/1', await agent.get('/examen/question/1'), 200);
    return { agent, token, examId: (await examByToken(db, token)).id, page };
  }

  const seqOf = (page: HttpResponse) => {
    const m = /name="seq" value="(\d+)"/.exec(page.body);
    if (!m) throw new Error(`no seq on the page (${excerpt(page)})`);
    return Number(m[1]);
  };

  /** A choice saved as htmx sends it (the page stays, a fragment acknowledges). */
  function saveWithHtmx(agent: HttpAgent, position: number, fields: { choix: string; seq: number }, via?: string) {
    return agent.post(`/examen/question/${position}`, { seq: String(fields.seq), choix: fields.choix }, { via, headers: { 'hx-request': 'true' } });
  }

  /** The stored answer in the candidate's terms (ExamItem.choice) of a choice as the form sends it. */
  const asStored = (choix: string | undefined): ExamItem['choice'] => (choix === undefined ? null : choix === 'nsp' ? 'nsp' : Number(choix));

  async function attestationsOf(examId: number) {
    return db.selectFrom('attestations').select(['number', 'kind']).where('exam_id', '=', examId).execute();
  }

  async function finishAudits(examId: number) {
    return db
      .selectFrom('audit_log')
      .select(['actor_label', 'details'])
      .where('action', '=', 'examen.termine')
      .where('target_type', '=', 'examen')
      .where('target_id', '=', String(examId))
      .execute();
  }

  await t.test('a candidate sits a whole exam through nginx, each request answered by the other instance than the one before', async (t) => {
    const candidate = await startCandidate('10.1.0.1');
    const { agent } = candidate;
    const total = (await examItems(db, candidate.examId)).length;
    // Answers, « Je ne sais pas », questions left blank, and marks « à revoir », as a candidate mixes them.
    const planned = (n: number) => ({ choix: n % 5 === 0 ? undefined : n % 5 === 1 ? 'nsp' : String((n % 2) + 1), revoir: n % 7 === 0 });
    let page = candidate.page;
    for (let n = 1; n <= total; n++) {
      const { choix, revoir } = planned(n);
      const fields: Record<string, string> = { seq: String(seqOf(page)), aller: n < total ? 'suivante' : 'terminer' };
      if (choix !== undefined) fields.choix = choix;
      if (revoir) fields.revoir = 'oui';
      const next = n < total ? `/examen/question/${n + 1}` : '/examen/terminer';
      expectResponse(`POST /examen/question/${n}`, await agent.post(`/examen/question/${n}`, fields), 303, next);
      page = expectResponse(`GET ${next}`, await agent.get(next), 200);
    }
    expectResponse('POST /examen/terminer', await agent.post('/examen/terminer', {}), 303, '/examen/resultat');
    const result = expectResponse('GET /examen/resultat', await agent.get('/examen/resultat'), 200);

    const items = await examItems(db, candidate.examId);
    t.same(
      items.map((i) => ({ position: i.position, choice: i.choice, flagged: i.flagged })),
      items.map((i) => ({ position: i.position, choice: asStored(planned(i.position).choix), flagged: planned(i.position).revoir })),
      'every answer, blank and mark is stored as sent, whichever instance took it',
    );
    const exam = await examByToken(db, candidate.token);
    t.equal(exam.finish_reason, 'candidat', 'finished by the candidate');
    t.equal(exam.score, expectedScore(items, exam.rules), 'the score is the one the stored answers give');
    const shown = /Note : <strong>(-?\d+)<\/strong> sur (\d+)/.exec(result.body);
    t.same(shown && [Number(shown[1]), Number(shown[2])], [exam.score, exam.maximum], 'the result page shows that score');
    t.equal((await attestationsOf(candidate.examId)).length, 1, 'one attestation number');

    const by = agent.answeredBy;
    t.same(new Set(by), new Set(top.instances.map((i) => i.address)), `both instances answered (${by.length} requests)`);
    const repeats = by.flatMap((address, i) => (i > 0 && address === by[i - 1] ? [i] : []));
    t.same(repeats, [], 'no two consecutive requests were answered by the same instance');
  });

  await t.test('a manager signed out through one instance is refused by the other', async (t) => {
    const manager = new HttpAgent(top.url, '10.2.0.1');
    expectResponse('GET /connexion', await manager.get('/connexion', { via: first.url }), 200);
    const signedIn = expectResponse(
      'POST /connexion',
      await manager.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD }, { via: first.url }),
      303,
    );
    const home = signedIn.location!;
    t.equal((await manager.get(home, { via: first.url })).status, 200, 'signed in through the first instance');
    t.equal((await manager.get(home, { via: second.url })).status, 200, 'the second instance knows the session too');
    const old = manager.copy();

    const out = await manager.post('/deconnexion', {}, { via: second.url });
    t.same([out.status, out.location], [303, '/connexion'], 'signed out through the second instance');
    t.not(manager.cookies.get(SESSION_COOKIE), old.cookies.get(SESSION_COOKIE), 'the browser got another session');

    for (const [name, instance] of [
      ['first', first],
      ['second', second],
    ] as const) {
      const refused = await old.get(home, { via: instance.url });
      t.ok(
        [302, 303].includes(refused.status) && refused.location?.startsWith('/connexion'),
        `the ${name} instance sends the old cookie to the sign-in page (${refused.status} → ${refused.location})`,
      );
    }
  });

  await t.test('two starts at once with one token, one on each instance, give one exam', async (t) => {
    const token = takeToken();
    const terminals = [new HttpAgent(top.url, '10.3.0.1'), new HttpAgent(top.url, '10.3.0.2')] as const;
    const via = [first.url, second.url] as const;
    for (const [i, terminal] of terminals.entries()) {
      await admit(terminal, `Poste ${i + 1}`, via[i]);
      await reachRules(terminal, token, via[i]);
    }
    const starts = await Promise.all(terminals.map((terminal, i) => terminal.post('/examen/commencer', {}, { via: via[i] })));
    const started = starts.filter((r) => r.status === 303 && r.location === '/examen/question/1');
    const refused = starts.filter((r) => r.status === 409);
    t.equal(started.length, 1, `one terminal starts the exam (${starts.map((r) => r.status).join(', ')})`);
    t.equal(refused.length, 1, 'the other is refused');
    t.match(
      refused[0] && alertText(refused[0].body),
      /^Ce jeton vient d’être utilisé pour commencer un examen\./,
      'and reads that the token was just used (with how to resume)',
    );
    const exams = await db
      .selectFrom('exams as e')
      .innerJoin('exam_tokens as k', 'k.id', 'e.token_id')
      .select(['e.id', 'k.status'])
      .where('k.code', '=', token.replace(/-/g, ''))
      .execute();
    t.equal(exams.length, 1, 'one exam row for the token');
    t.equal(exams[0]?.status, 'used', 'and the token is used');
  });

  await t.test('centres recognised at once on both instances get distinct numbers, with no gap', async (t) => {
    const admin = new HttpAgent(top.url, '10.4.0.1');
    expectResponse('GET /connexion', await admin.get('/connexion'), 200);
    const signedIn = expectResponse('POST /connexion', await admin.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD }), 303);
    // An administrator enrols a second factor at the first sign-in, as on one instance.
    expectResponse(`GET ${signedIn.location}`, await admin.get(signedIn.location!), 303, ENROLMENT_PATH);
    const enrolment = expectResponse('GET enrolment', await admin.get(ENROLMENT_PATH), 200);
    const secret = decodeEntities(/class="app-enrolment-secret">([^<]+)</.exec(enrolment.body)![1]!).replace(/\s/g, '');
    expectResponse('POST enrolment', await admin.post(ENROLMENT_PATH, { code: currentTotp(secret, systemClock) }), 200);
    expectResponse('GET /admin/centres/nouveau', await admin.get('/admin/centres/nouveau'), 200);

    const before = await db
      .selectFrom('centres')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const auditsBefore = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'centre.reconnu')
      .executeTakeFirstOrThrow();
    const PER_INSTANCE = 5;
    const forms = Array.from({ length: 2 * PER_INSTANCE }, (_, n) => ({
      nom: `Centre de la course ${n}`,
      adresse: `${n + 1} rue des Instances, 69001 Lyon`,
      siret: validSiret(n, '7'),
      email: `course${n}@centre.test`,
    }));
    const responses = await Promise.all(forms.map((form, n) => admin.post('/admin/centres', form, { via: top.instances[n % 2]!.url })));
    const ids = responses.map((r) => Number(/^\/admin\/centres\/(\d+)$/.exec(r.location ?? '')?.[1] ?? NaN));
    t.same(
      responses.map((r) => r.status),
      forms.map(() => 303),
      'every recognition succeeds',
    );
    const expected = forms.map((_, n) => Number(before.id) + 1 + n);
    t.same(
      [...ids].sort((a, b) => a - b),
      expected,
      'the numbers follow the last one, each once',
    );
    const stored = await db.selectFrom('centres').select(['id', 'siret']).where('id', '>', Number(before.id)).orderBy('id').execute();
    t.same(stored.map((c) => c.siret).sort(), forms.map((f) => f.siret).sort(), 'one row per form, nothing more');
    t.same(
      responses.map((r, n) => stored.find((c) => c.id === ids[n])?.siret),
      forms.map((f) => f.siret),
      'each form was told its own centre’s number',
    );
    const audits = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'centre.reconnu')
      .executeTakeFirstOrThrow();
    t.equal(Number(audits.n) - Number(auditsBefore.n), forms.length, 'each recognition is in the audit log once');
  });

  await t.test('tables of tokens generated at once on both instances: the daily quota holds and each table is whole', async (t) => {
    t.teardown(() => db.updateTable('centres').set({ daily_token_quota: null }).where('id', '=', CENTRE_ID).execute());
    const manager = new HttpAgent(top.url, '10.4.0.2');
    expectResponse('GET /connexion', await manager.get('/connexion'), 200);
    expectResponse('POST /connexion', await manager.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD }), 303);
    expectResponse('GET new table', await manager.get('/centre/jetons/nouvelle-table'), 200);
    const generate = (count: number, via: string) =>
      manager.post('/centre/jetons/nouvelle-table', { questionnaire: String(operatorBank.id), nombre: String(count) }, { via });
    const setRemaining = async (remaining: number) => {
      const day = await centreDailyQuota(db, CENTRE_ID, systemClock.now());
      await db
        .updateTable('centres')
        .set({ daily_token_quota: day!.issuedToday + remaining })
        .where('id', '=', CENTRE_ID)
        .execute();
    };

    // Room for one table of 6 but not two.
    await setRemaining(10);
    const race = await Promise.all([generate(6, first.url), generate(6, second.url)]);
    const made = race.filter((r) => r.status === 303 && /^\/centre\/jetons\/lots\/\d+$/.test(r.location ?? ''));
    const over = race.filter((r) => r.status === 400);
    t.equal(made.length, 1, `one table is generated (${race.map((r) => r.status).join(', ')})`);
    t.equal(over.length, 1, 'the other is refused');
    t.match(over[0] && visibleText(over[0].body), /vous pouvez en générer encore 4 au plus/, 'by the quota, counting the table of the other instance');

    const batchesBefore = await db
      .selectFrom('token_batches')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    await setRemaining(40);
    const all = await Promise.all([first, second, first, second].map((instance) => generate(10, instance.url)));
    t.same(
      all.map((r) => r.status),
      [303, 303, 303, 303],
      'four tables within the quota, generated at once, are all made',
    );
    // The codes' uniqueness is the index's; what the race could break is the tables themselves.
    const tables = await db
      .selectFrom('exam_tokens')
      .select(['batch_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('batch_id', '>', Number(batchesBefore.id))
      .groupBy('batch_id')
      .execute();
    t.same(
      tables.map((b) => Number(b.n)),
      [10, 10, 10, 10],
      'four tables of ten tokens each: a transaction run again after a conflict wrote its table once',
    );
  });

  await t.test('at the deadline, with both instances at work, each exam is finished exactly once', async (t) => {
    // Each candidate answers a few questions, then their deadline is brought to a few seconds from
    // now in the database: the instances' own (system) clocks then reach it for real.
    const twoFinishes = await startCandidate('10.5.0.1');
    const lastAnswers = await startCandidate('10.5.0.2');
    const unattended = await startCandidate('10.5.0.3');
    const acked = new Map<number, { position: number; choix: string; seq: number }[]>();
    for (const c of [twoFinishes, lastAnswers, unattended]) {
      const list: { position: number; choix: string; seq: number }[] = [];
      const seq = seqOf(c.page);
      for (const position of [1, 2, 3]) {
        const choix = position === 2 ? 'nsp' : String(position % 2 === 0 ? 1 : 2);
        const res = await saveWithHtmx(c.agent, position, { choix, seq });
        if (res.status !== 200 || !ACK.test(res.body)) throw new Error(`save ${position} not acknowledged: ${res.status} ${excerpt(res)}`);
        list.push({ position, choix, seq });
      }
      acked.set(c.examId, list);
    }
    const deadline = new Date(Date.now() + 3_000);
    const exams = [twoFinishes.examId, lastAnswers.examId, unattended.examId];
    await db.updateTable('exams').set({ deadline_at: deadline.toISOString() }).where('id', 'in', exams).execute();
    const total = (await examItems(db, lastAnswers.examId)).length;

    // Should the deadline never be enforced, the loops below end anyway (and the checks fail).
    const giveUp = deadline.getTime() + 30_000;
    // One candidate keeps answering on the first instance until a save is refused for the time…
    let refusedSave: { position: number; choix: string; res: HttpResponse } | null = null;
    const answering = (async () => {
      const list = acked.get(lastAnswers.examId)!;
      let seq = seqOf(lastAnswers.page) + 1;
      for (let position = 4; Date.now() < giveUp; position = (position % total) + 1, seq++) {
        const choix = String((seq % 2) + 1);
        const res = await saveWithHtmx(lastAnswers.agent, position, { choix, seq }, first.url);
        if (res.status === 200 && ACK.test(res.body)) list.push({ position, choix, seq });
        else return void (refusedSave = { position, choix, res });
      }
    })();
    // …while the second instance, asked where that exam stands, finishes it once its time is over.
    const watching = (async () => {
      const watcher = lastAnswers.agent.copy();
      await pause(deadline.getTime() - Date.now() - 50);
      while (Date.now() < giveUp) {
        const res = await watcher.get('/examen/etat', { via: second.url });
        if (res.status !== 200 || !res.body.includes('"en-cours"')) return;
      }
    })();
    // The other candidate clicks « Terminer » right at the deadline, and the click reaches both instances.
    await pause(deadline.getTime() - Date.now());
    const finishes = await Promise.all([first, second].map((instance) => twoFinishes.agent.post('/examen/terminer', {}, { via: instance.url })));
    await Promise.all([answering, watching]);

    t.same(
      finishes.map((r) => [r.status, r.location]),
      [
        [303, '/examen/resultat'],
        [303, '/examen/resultat'],
      ],
      'both instances answer « Terminer » with the result',
    );
    const result = expectResponse('GET /examen/resultat', await twoFinishes.agent.get('/examen/resultat'), 200);
    const refused = refusedSave as { position: number; choix: string; res: HttpResponse } | null;
    t.same(
      refused && [refused.res.status, refused.res.headers.get('hx-redirect')],
      [200, '/examen/resultat?tardive=1'],
      'the save that came too late is refused, and the candidate told so on the result page',
    );

    const unattendedExam = await eventually('finished by the deadline sweep', async () => {
      const exam = await examByToken(db, unattended.token);
      return exam.finished_at ? exam : null;
    });
    t.equal(unattendedExam.finish_reason, 'delai', 'an exam no terminal asks about any more is finished by a sweep');

    const numbers: string[] = [];
    for (const c of [twoFinishes, lastAnswers, unattended]) {
      const exam = await examByToken(db, c.token);
      const items = await examItems(db, c.examId);
      const name = c === twoFinishes ? 'two finishes' : c === lastAnswers ? 'answers up to the deadline' : 'unattended';
      t.ok(exam.finished_at, `${name}: finished`);
      const finishedAt = Date.parse(exam.finished_at!);
      if (exam.finish_reason === 'delai') t.equal(finishedAt, deadline.getTime(), `${name}: finished by the time, at the deadline itself`);
      else t.ok(exam.finish_reason === 'candidat' && finishedAt < deadline.getTime(), `${name}: finished by the candidate before the deadline`);
      const attestations = await attestationsOf(c.examId);
      t.equal(attestations.length, 1, `${name}: one attestation`);
      t.equal(attestations[0]?.kind, exam.passed === 1 ? 'admis' : 'echec', `${name}: of the kind the result gives`);
      numbers.push(...attestations.map((a) => a.number));
      t.equal((await finishAudits(c.examId)).length, 1, `${name}: one « examen.termine » in the audit log`);
      t.equal(exam.score, expectedScore(items, exam.rules), `${name}: the score is the one of the stored answers`);
      // What was acknowledged is stored, and nothing else: the last acknowledged choice of each question.
      const lastAcked = new Map<number, string>();
      for (const save of acked.get(c.examId)!) lastAcked.set(save.position, save.choix);
      t.same(
        items.map((i) => i.choice),
        items.map((i) => asStored(lastAcked.get(i.position))),
        `${name}: every acknowledged answer is stored and counted, and no refused one`,
      );
    }
    t.equal(new Set(numbers).size, 3, 'three distinct attestation numbers');
    t.equal((await examByToken(db, lastAnswers.token)).finish_reason, 'delai', 'no one clicked « Terminer » for the candidate answering: the time finished it');
    const shown = /Note : <strong>(-?\d+)<\/strong>/.exec(result.body);
    t.equal(shown && Number(shown[1]), (await examByToken(db, twoFinishes.token)).score, 'the result page shows the stored score');
  });

  await t.test('one instance killed (SIGKILL) during a stream of answers: every acknowledged answer is stored', async (t) => {
    const candidates = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => startCandidate(`10.6.0.${i + 1}`)));
    const total = (await examItems(db, candidates[0]!.examId)).length;
    const killedIndex = 1;
    const survivor = first.address;
    const acked: { examId: number; position: number; choix: string; instance: string | null; afterKill: boolean }[] = [];
    /** The outcomes of the saves sent again: an HTTP status, or « no answer ». */
    const unacknowledged: string[] = [];
    const kill: { done: Promise<void> | null; over: boolean } = { done: null, over: false };
    const doomed = top.instances[killedIndex]!.address;
    const KILL_AFTER = Math.floor((candidates.length * total) / 3);

    const answerAll = async (c: Candidate, index: number) => {
      for (let position = 1; position <= total; position++) {
        const choix = position % 4 === 0 ? 'nsp' : String(((position + index) % 2) + 1);
        // The kiosk sends an unacknowledged save again, with the same seq: a save committed whose
        // acknowledgement was lost applies again, the same.
        for (let attempt = 1; ; attempt++) {
          const afterKill = kill.over;
          const res = await saveWithHtmx(c.agent, position, { choix, seq: 1 }).catch(() => null);
          if (res?.status === 200 && ACK.test(res.body)) {
            acked.push({ examId: c.examId, position, choix, instance: res.instance, afterKill });
            // A third of the way through, the second instance dies the moment one of its
            // acknowledgements is in, whatever it is doing for the other candidates.
            if (!kill.done && acked.length >= KILL_AFTER && res.instance === doomed) {
              kill.done = top.kill(killedIndex).then(() => {
                kill.over = true;
              });
            }
            break;
          }
          unacknowledged.push(res ? `${res.status}${res.instance ? ` from ${res.instance}` : ''}` : 'no answer');
          if (attempt >= 30) throw new Error(`save ${position} of exam ${c.examId} never acknowledged: ${res ? `${res.status} ${excerpt(res)}` : 'no answer'}`);
          await pause(100);
        }
      }
    };
    await Promise.all(candidates.map(answerAll));
    await kill.done;
    t.comment(`${acked.length} saves acknowledged; sent again after: ${unacknowledged.join(', ') || 'none'}`);

    t.notOk(top.instances[killedIndex]!.running(), 'the second instance was killed mid-stream');
    t.ok(
      acked.some((a) => a.instance === doomed),
      'it had acknowledged answers before it died',
    );
    t.same(
      acked.filter((a) => a.afterKill && a.instance !== survivor),
      [],
      'once it is dead, nginx sends every save to the other instance',
    );
    for (const c of candidates) {
      const items = await examItems(db, c.examId);
      const mine = acked.filter((a) => a.examId === c.examId);
      t.same(
        mine.map((a) => items[a.position - 1]?.choice),
        mine.map((a) => asStored(a.choix)),
        `exam ${c.examId}: each of its ${mine.length} acknowledged answers is stored`,
      );
    }

    // Back in service, the killed instance takes its share again, and the candidates finish there too.
    await top.restart(killedIndex);
    const back = top.instances[killedIndex]!.address;
    const probe = new HttpAgent(top.url, '10.6.1.1');
    await eventually('answered by the restarted instance through nginx', async () => ((await probe.get('/healthz')).instance === back ? true : null), 20_000);
    for (const c of candidates) {
      expectResponse('POST /examen/terminer', await c.agent.post('/examen/terminer', {}), 303, '/examen/resultat');
      const exam = await examByToken(db, c.token);
      t.equal(exam.score, expectedScore(await examItems(db, c.examId), exam.rules), `exam ${c.examId}: scored on every stored answer`);
    }
  });

  await t.test('an instance that does not share the data folder or the session secret refuses to start, saying why', async (t) => {
    const recorded = async () => await db.selectFrom('running_instances').select(['id', 'signing_key_id']).orderBy('id').execute();
    const before = await recorded();
    const ownFolder = mkdtempSync(join(tmpdir(), 'qcm-aipr-stray-'));
    t.teardown(() => rmSync(ownFolder, { recursive: true, force: true }));
    const strayFolder = await top.tryStart({ DATA_DIR: ownFolder });
    t.equal(strayFolder.exitCode, 1, 'another DATA_DIR: it stops');
    t.match(strayFolder.output, /Démarrage impossible : la clé de signature des attestations de ce DATA_DIR .* doivent partager le même dossier DATA_DIR/);
    const straySecret = await top.tryStart({ SESSION_SECRET: 'un-autre-secret-de-session-de-plus-de-32-caracteres' });
    t.equal(straySecret.exitCode, 1, 'another SESSION_SECRET: it stops');
    t.match(straySecret.output, /Démarrage impossible : le secret de session de cette instance .* même valeur de SESSION_SECRET/);
    const sameSettings = await top.tryStart({});
    t.equal(sameSettings.exitCode, null, "with the others' folder, a third instance starts");
    t.equal(new Set(before.map((r) => r.signing_key_id)).size, 1, 'the instances in service share one key');
    // The instance killed earlier may have been forgotten meanwhile (its row was 90 s old): nothing was added.
    const after = await recorded();
    t.same(
      after.filter((row) => !before.some((b) => b.id === row.id)),
      [],
      'the refused instances were never recorded, and the third left as it stopped',
    );
    t.ok(after.length >= 2, 'the two instances in service are still recorded');
  });
}
