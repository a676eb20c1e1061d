/**
 * Candidates driven through the kiosk over app.inject (Agent), in the exam room of kiosk-room.ts,
 * and what the kiosk's pages show them.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { Profile } from '../../src/domain/profiles.js';
import { Agent } from './app.js';
import { visibleText } from './html.js';
import { SESSION_COOKIE } from '../../src/plugins/session.js';
import { allowResumeElsewhere, TERMINAL_COOKIE } from '../../src/services/exam/admission.js';
import { findOpenSessions } from '../../src/services/exam/sessions.js';
import { admissionCodeOf, CENTRE, CENTRE_ID, examByToken, IDENTITY, type IdentityFields, type Room } from './kiosk-room.js';

/**
 * The supervisor admits the agent's terminal to a session (today's open session of the demo centre
 * unless told) with the code the room view shows; throws when refused.
 */
export async function admit(agent: Agent, options: { sessionId?: number; label?: string } = {}): Promise<LightMyRequestResponse> {
  const { db, clock } = agent.app;
  const sessionId = options.sessionId ?? (await findOpenSessions(db, CENTRE_ID, clock.now()))[0]?.id;
  if (sessionId === undefined) throw new Error('no open session to admit the terminal to');
  const code = await admissionCodeOf(db, clock, sessionId);
  await agent.get('/examen');
  const admitted = await agent.post('/examen/poste', { centre: CENTRE, code_session: code, poste: options.label ?? '' });
  if (admitted.statusCode !== 303 || !agent.cookies.has(TERMINAL_COOKIE)) throw new Error(`admission refused: ${admitted.statusCode} ${admitted.body}`);
  // As a browser does: follow the redirect (the entry form carries the new session's CSRF token).
  await agent.get('/examen');
  return admitted;
}

/** Centre ID and token on the entry form, as a candidate types them (on a terminal admitted first if it was not). */
export async function enter(agent: Agent, token: string, centre = CENTRE): Promise<LightMyRequestResponse> {
  if (!agent.cookies.has(TERMINAL_COOKIE)) await admit(agent);
  await agent.get('/examen');
  return agent.post('/examen', { centre, jeton: token });
}

/** The terminal's browser restarts: its session cookie is gone, its admission (a lasting cookie) stays. */
export function restartBrowser(agent: Agent): void {
  agent.cookies.delete(SESSION_COOKIE);
  agent.csrfToken = null;
}

/** The supervisor's leave, from the candidate's page, to take the exam over on another terminal. */
export async function allowResume(room: Room, examId: number): Promise<void> {
  const until = await allowResumeElsewhere(room.db, room.clock, { centreId: CENTRE_ID, examId }, { actor: { accountId: null, label: 'test' } });
  if (!until) throw new Error(`exam ${examId} cannot be resumed elsewhere`);
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
export async function startCandidate(
  room: Room,
  options: { profile?: Profile; ip?: string; identity?: IdentityFields; token?: string } = {},
): Promise<Candidate> {
  const agent = new Agent(room.app, options.ip ?? '10.0.0.1');
  const token = options.token ?? room.takeToken(options.profile);
  await reachRules(agent, token, options.identity);
  const started = await agent.post('/examen/commencer', {});
  if (started.statusCode !== 303 || started.headers.location !== '/examen/question/1') {
    throw new Error(`start refused: ${started.statusCode} ${started.body}`);
  }
  // As a browser does: follow the redirect (the page carries the new session's CSRF token).
  await agent.get('/examen/question/1');
  return { agent, token, examId: (await examByToken(room.db, token)).id };
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
  const headers: Record<string, string> = htmx
    ? { 'hx-request': 'true', 'hx-current-url': `http://localhost/examen/question/${position}`, 'hx-target': 'k-save-status' }
    : {};
  return agent.post(`/examen/question/${position}`, body, { headers });
}

/** The kiosk's alert (a refusal, a notice) as the candidate reads it, or null. */
export function alertText(html: string): string | null {
  const m = /<div class="k-alert" role="alert"(?: id="[^"]*")?><p>([\s\S]*?)<\/p><\/div>/.exec(html);
  return m ? visibleText(m[1]!) : null;
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
