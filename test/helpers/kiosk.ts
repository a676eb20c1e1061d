/**
 * Shared set-up for the kiosk tests: an exam room (the demo centre, its published questionnaires,
 * their tokens and today's open session), candidates driven through the whole flow with Agent,
 * and the database facts the tests compare pages with.
 */
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import type { Profile } from '../../src/domain/profiles.js';
import { formatTokenCode } from '../../src/domain/token-code.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { Agent, createTestApp, type TestApp } from './app.js';

export const CENTRE = 'centre0001';
export const CENTRE_ID = 1;

export interface IdentityFields {
  nom: string;
  prenom: string;
  date_naissance: string;
  entreprise: string;
}

export const IDENTITY: IdentityFields = { nom: 'Lefèvre', prenom: 'Zoé', date_naissance: '1985-04-23', entreprise: 'Terrassements du Rhône' };

export interface Room {
  testApp: TestApp;
  app: TestApp['app'];
  db: TestApp['db']['kysely'];
  clock: TestApp['clock'];
  sessionId: number;
  questionnaireIds: Record<Profile, number>;
  /** A fresh available token of the profile (printed form), never handed out twice in a test. */
  takeToken(profile?: Profile): string;
}

/**
 * The demo exam room on a fresh database. `answerIdsFrom` makes the answers' ids start at a large
 * number, so that a test can look for them in a page without meeting small numbers by chance.
 */
export async function kioskRoom(
  t: { teardown(fn: () => unknown): void },
  options: { answerIdsFrom?: number; questionIdsFrom?: number } & Parameters<typeof createTestApp>[0] = {},
): Promise<Room> {
  const { answerIdsFrom, questionIdsFrom, ...appOptions } = options;
  const testApp = await createTestApp(appOptions);
  t.teardown(() => testApp.close());
  const db = testApp.db.kysely;
  if (answerIdsFrom !== undefined) {
    await sql`insert into sqlite_sequence (name, seq) values ('answers', ${answerIdsFrom})`.execute(db);
  }
  if (questionIdsFrom !== undefined) {
    await sql`insert into sqlite_sequence (name, seq) values ('questions', ${questionIdsFrom})`.execute(db);
  }
  await seedDemo(db, testApp.clock);
  const session = await db.selectFrom('exam_sessions').select('id').where('status', '=', 'open').executeTakeFirstOrThrow();
  const questionnaires = await db.selectFrom('questionnaires').select(['id', 'profile']).where('status', '=', 'published').execute();
  const questionnaireIds = Object.fromEntries(questionnaires.map((q) => [q.profile, q.id])) as Record<Profile, number>;
  const tokens = await db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select(['t.code', 'q.profile'])
    .where('t.status', '=', 'available')
    .where('t.centre_id', '=', CENTRE_ID)
    .orderBy('t.id')
    .execute();
  const pool = new Map<Profile, string[]>();
  for (const row of tokens) pool.set(row.profile, [...(pool.get(row.profile) ?? []), row.code]);
  return {
    testApp,
    app: testApp.app,
    db,
    clock: testApp.clock,
    sessionId: session.id,
    questionnaireIds,
    takeToken(profile: Profile = 'operateur') {
      const code = pool.get(profile)?.shift();
      if (!code) throw new Error(`no available ${profile} token left`);
      return formatTokenCode(code);
    },
  };
}

/** Centre ID and token on the entry form, as a candidate types them. */
export async function enter(agent: Agent, token: string, centre = CENTRE): Promise<LightMyRequestResponse> {
  await agent.get('/examen');
  return agent.post('/examen', { centre, jeton: token });
}

/** Entry and identity: the agent ends on the rules page (returned). */
export async function reachRules(agent: Agent, token: string, identity: IdentityFields = IDENTITY): Promise<LightMyRequestResponse> {
  const entered = await enter(agent, token);
  if (entered.statusCode !== 303 || entered.headers.location !== '/examen/identite') {
    throw new Error(`entry refused: ${entered.statusCode} ${entered.headers.location ?? ''} ${entered.body}`);
  }
  await agent.get('/examen/identite');
  const id = await agent.post('/examen/identite', { ...identity });
  if (id.statusCode !== 303) throw new Error(`identity refused: ${id.statusCode} ${id.body}`);
  const rules = await agent.get('/examen/consignes');
  if (rules.statusCode !== 200) throw new Error(`rules page: ${rules.statusCode}`);
  return rules;
}

export interface Candidate {
  agent: Agent;
  token: string;
  examId: number;
}

/** A candidate who went through the whole flow up to "Commencer" on a terminal of their own. */
export async function startCandidate(room: Room, options: { profile?: Profile; ip?: string; identity?: IdentityFields; token?: string } = {}): Promise<Candidate> {
  const agent = new Agent(room.app, options.ip ?? '10.0.0.1');
  const token = options.token ?? room.takeToken(options.profile);
  await reachRules(agent, token, options.identity);
  const started = await agent.post('/examen/commencer', {});
  if (started.statusCode !== 303 || started.headers.location !== '/examen/question/1') {
    throw new Error(`start refused: ${started.statusCode} ${started.body}`);
  }
  // As a browser does: follow the redirect (the page carries the new session's CSRF token).
  await agent.get('/examen/question/1');
  const exam = await room.db
    .selectFrom('exams as e')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .select('e.id')
    .where('t.code', '=', token.replace(/-/g, ''))
    .executeTakeFirstOrThrow();
  return { agent, token, examId: exam.id };
}

export interface ExamItem {
  position: number;
  questionId: number;
  statement: string;
  priority: boolean;
  hasImage: boolean;
  /** Answer ids in the order the candidate sees them. */
  order: number[];
  texts: string[];
  /** 1-based index of the right answer in the candidate's order. */
  correctIndex: number;
  chosenAnswerId: number | null;
  dontKnow: boolean;
  flagged: boolean;
  seq: number;
}

/** The frozen draw of an exam, with what the database knows about each answer. */
export async function examItems(db: Room['db'], examId: number): Promise<ExamItem[]> {
  const rows = await db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .select([
      'eq.position',
      'eq.question_id',
      'eq.answer_order',
      'eq.chosen_answer_id',
      'eq.dont_know',
      'eq.flagged',
      'eq.response_seq',
      'q.statement',
      'q.priority',
      'q.image_mime',
    ])
    .where('eq.exam_id', '=', examId)
    .orderBy('eq.position')
    .execute();
  const items: ExamItem[] = [];
  for (const r of rows) {
    const order = JSON.parse(r.answer_order) as number[];
    const answers = await db.selectFrom('answers').select(['id', 'text', 'correct']).where('question_id', '=', r.question_id).execute();
    const byId = new Map(answers.map((a) => [a.id, a]));
    items.push({
      position: r.position,
      questionId: r.question_id,
      statement: r.statement,
      priority: r.priority === 1,
      hasImage: r.image_mime !== null,
      order,
      texts: order.map((id) => byId.get(id)!.text),
      correctIndex: order.findIndex((id) => byId.get(id)!.correct === 1) + 1,
      chosenAnswerId: r.chosen_answer_id,
      dontKnow: r.dont_know === 1,
      flagged: r.flagged === 1,
      seq: r.response_seq,
    });
  }
  return items;
}

/** Saves a choice as the no-JS form does (or with htmx's headers when `htmx`). */
export async function answer(
  agent: Agent,
  position: number,
  fields: { choix?: string; seq: number; revoir?: boolean; aller?: string },
  htmx = false,
): Promise<LightMyRequestResponse> {
  const body: Record<string, string> = { seq: String(fields.seq) };
  if (fields.choix !== undefined) body.choix = fields.choix;
  if (fields.revoir) body.revoir = 'oui';
  if (fields.aller !== undefined && !htmx) body.aller = fields.aller;
  const headers: Record<string, string> = htmx ? { 'hx-request': 'true', 'hx-current-url': `http://localhost/examen/question/${position}`, 'hx-target': 'k-save-status' } : {};
  return agent.post(`/examen/question/${position}`, body, { headers });
}

/** Escapes as Eta's autoEscape does, to find a bank text in a page. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The value of a named input in a page, unescaped (null when the field is absent). */
export function fieldValue(html: string, name: string): string | null {
  const input = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  if (!input) return null;
  const value = /\bvalue="([^"]*)"/.exec(input)?.[1] ?? '';
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** The labels of the proposed answers on a question page, in page order. */
export function choiceLabels(html: string): string[] {
  return [...html.matchAll(/<label class="k-choice[^"]*">[\s\S]*?<\/label>/g)].map((m) => m[0]);
}

/** Remaining seconds shown by the page's timer. */
export function shownRemaining(html: string): number | null {
  const m = /data-remaining="(\d+)"/.exec(html);
  return m ? Number(m[1]) : null;
}
