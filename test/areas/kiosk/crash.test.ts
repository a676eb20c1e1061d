/**
 * "An answer acknowledged is committed": the real server (npx tsx src/server.ts) on a fresh data
 * folder, a terminal admitted to the demo session with its code (read from the database, as the
 * room view shows it), a candidate driven over HTTP with fetch, the process killed with SIGKILL
 * right after the acknowledgement of an answer, and the database file reopened to find every
 * acknowledged answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import t from 'tap';
import { KioskTerminal, reachRulesPage, startAndOpenFirstQuestion } from '../../../bench/lib/kiosk-client.js';
import { DATABASE_FILE } from '../../../src/db/connection.js';
import { formatAdmissionCode } from '../../../src/domain/admission-code.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { ROOT_DIR } from '../../../src/paths.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(dataDir: string, port: number): Server {
  const child = spawn('npx', ['tsx', 'src/server.ts'], {
    cwd: ROOT_DIR,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', PUBLIC_URL: `http://127.0.0.1:${port}` },
    // Its own process group: npx, tsx and node are killed together, and only them.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntilListening(server: Server, base: string, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.output()}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start: ${server.output()}`);
}

t.test('answers acknowledged before a SIGKILL are all in the database', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-crash-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(dataDir, port);
  t.teardown(() => {
    killGroup(server.child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  await waitUntilListening(server, base);

  // The demo seed of the first start prints sample tokens.
  const token = /Opérateur : ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(server.output())?.[1];
  t.ok(token, 'the first start seeded the demo and printed an operator token');
  if (!token) return;

  // The supervisor admits the terminal with the code of the session the demo seed opened.
  const seeded = new SQLite(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  const session = seeded.prepare("select admission_code from exam_sessions where centre_id = 1 and status = 'open'").get() as
    { admission_code: string | null } | undefined;
  seeded.close();
  t.ok(session?.admission_code, 'the demo session was opened with a code to admit terminals');
  if (!session?.admission_code) return;
  const c = new KioskTerminal(base);
  await c.get('/examen');
  const admitted = await c.post('/examen/poste', { centre: 'centre0001', code_session: formatAdmissionCode(session.admission_code), poste: 'Poste 1' });
  t.equal(admitted.location, '/examen', 'the terminal is admitted');
  t.ok(c.cookies.has(TERMINAL_COOKIE), 'and keeps its admission');
  await reachRulesPage(c, 'centre0001', token, 0);
  await startAndOpenFirstQuestion(c);

  const htmx = (n: number) => ({ 'hx-request': 'true', 'hx-current-url': `${base}/examen/question/${n}`, 'x-csrf-token': c.csrf! });
  // A few answers with htmx and without JavaScript, each acknowledged.
  const acknowledged: { position: number; choice: string }[] = [];
  for (const [position, choice] of [
    [1, '2'],
    [2, 'nsp'],
    [3, '1'],
  ] as const) {
    const res = await c.post(`/examen/question/${position}`, { seq: '1', choix: choice }, htmx(position));
    t.equal(res.body, '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>', `answer ${position} acknowledged`);
    acknowledged.push({ position, choice });
  }
  // Every question has at least two answers: choices 1 and 2 always exist.
  const form = await c.post('/examen/question/4', { seq: '1', choix: '2', aller: 'suivante' });
  t.equal(form.location, '/examen/question/5', 'a no-JS save acknowledged by its redirect');
  acknowledged.push({ position: 4, choice: '2' });
  await c.get('/examen/question/5');

  // The last answer: the process dies as soon as the acknowledgement's status line is in.
  const ACK = '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>';
  const last = await c.postHead('/examen/question/5', { seq: '1', choix: '2', revoir: 'oui' }, htmx(5));
  killGroup(server.child, 'SIGKILL');
  t.equal(last.status, 200, 'the last answer was acknowledged');
  t.equal(last.headers.get('hx-redirect'), null, 'with no redirection');
  t.equal(last.headers.get('content-length'), String(Buffer.byteLength(ACK)), 'and the length of the acknowledgement');
  acknowledged.push({ position: 5, choice: '2' });
  const exit = await server.exited;
  t.ok(exit.signal === 'SIGKILL' || exit.code !== 0, `the server was killed (${JSON.stringify(exit)})`);
  await t.rejects(fetch(`${base}/healthz`), 'the server is gone');

  const db = new SQLite(join(dataDir, DATABASE_FILE));
  t.teardown(() => db.close());
  const exam = db.prepare('select e.id, e.finished_at from exams e join exam_tokens t on t.id = e.token_id where t.code = ?').get(token.replace(/-/g, '')) as
    { id: number; finished_at: string | null } | undefined;
  t.ok(exam, 'the exam is in the database');
  if (!exam) return;
  t.equal(exam.finished_at, null);
  const rows = db
    .prepare('select position, answer_order, chosen_answer_id, dont_know, flagged, response_seq from exam_questions where exam_id = ? order by position')
    .all(exam.id) as {
    position: number;
    answer_order: string;
    chosen_answer_id: number | null;
    dont_know: number;
    flagged: number;
    response_seq: number;
  }[];
  t.equal(rows.length, 30);
  for (const { position, choice } of acknowledged) {
    const row = rows[position - 1]!;
    const order = JSON.parse(row.answer_order) as number[];
    if (choice === 'nsp') t.same([row.chosen_answer_id, row.dont_know], [null, 1], `answer ${position} ("Je ne sais pas") survived`);
    else t.same([row.chosen_answer_id, row.dont_know], [order[Number(choice) - 1]!, 0], `answer ${position} survived`);
    t.not(order[Number(choice) - 1] ?? (choice === 'nsp' ? 0 : undefined), undefined, `choice ${choice} exists at ${position}`);
    t.equal(row.response_seq, 1);
  }
  t.equal(rows[4]!.flagged, 1, 'the mark of the last answer survived too');
  t.equal(rows.slice(5).filter((r) => r.chosen_answer_id !== null || r.dont_know === 1).length, 0, 'nothing else was answered');
});
