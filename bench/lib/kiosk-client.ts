import { TERMINAL_COOKIE } from '../../src/services/exam/admission.js';

/**
 * A kiosk terminal driven with fetch over real HTTP, as a browser without JavaScript would: it
 * keeps the cookies and the CSRF token of the last form it saw, and follows no redirect by itself
 * (each step checks where the app sends it). The benchmarks' terminals, and the crash test's
 * (test/areas/kiosk/crash.test.ts). A terminal must be admitted to the exam session (the
 * supervisor types the session's code once, admitKioskTerminal) before a candidate can enter.
 */
export class KioskTerminal {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response, body: string): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(body);
    if (match) this.csrf = match[1]!;
  }

  async get(path: string): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(this.baseUrl + path, { headers: { cookie: this.cookieHeader }, redirect: 'manual' });
    const body = await res.text();
    this.remember(res, body);
    return { status: res.status, location: res.headers.get('location'), body };
  }

  /**
   * Posts a form with the CSRF token of the last page seen; resolves as soon as the status and
   * headers are in, without reading the body (nor remembering cookies): the crash test kills the
   * server at that instant.
   */
  async postHead(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    if (!this.csrf) throw new Error(`no CSRF token before POST ${path}`);
    return fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader, ...headers },
      body: new URLSearchParams({ ...fields, _csrf: this.csrf }).toString(),
      redirect: 'manual',
    });
  }

  /** Posts a form with the CSRF token of the last page seen (and `headers`, say htmx's). */
  async post(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; location: string | null; body: string }> {
    const res = await this.postHead(path, fields, headers);
    const body = await res.text();
    this.remember(res, body);
    return { status: res.status, location: res.headers.get('location'), body };
  }
}

function expectRedirect(step: string, res: { status: number; location: string | null; body: string }, to: string): void {
  if (res.status !== 303 || res.location !== to) {
    const excerpt = res.body.replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`${step}: expected 303 → ${to}, got ${res.status} → ${res.location ?? '-'} (${excerpt})`);
  }
}

/** Letters only (names refuse digits): 0 → "Aa", 1 → "Ab", … */
function nameFor(index: number): string {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  return `${a[Math.floor(index / 26) % 26]!.toUpperCase()}${a[index % 26]!}`;
}

/**
 * The supervisor admits the terminal to the exam session: centre ID and the session's admission
 * code (as the room view shows it) on the admission form. The app answers with the terminal's
 * lasting cookie and a new browser session: the next page's CSRF token is the one to use.
 */
export async function admitKioskTerminal(terminal: KioskTerminal, centre: string, admissionCode: string, label: string): Promise<void> {
  const form = await terminal.get('/examen');
  if (form.status !== 200 || !terminal.csrf || !form.body.includes('action="/examen/poste"')) {
    throw new Error(`GET /examen: ${form.status}, no admission form`);
  }
  expectRedirect('POST /examen/poste', await terminal.post('/examen/poste', { centre, code_session: admissionCode, poste: label }), '/examen');
  if (!terminal.cookies.has(TERMINAL_COOKIE)) throw new Error(`POST /examen/poste: no ${TERMINAL_COOKIE} cookie`);
  // The CSRF token of the admission form belongs to the session the admission replaced.
  terminal.csrf = null;
}

/** On an admitted terminal: entry form, token, identity, up to the rules page ("Commencer" not clicked yet). */
export async function reachRulesPage(terminal: KioskTerminal, centre: string, code: string, index: number): Promise<void> {
  const entry = await terminal.get('/examen');
  if (entry.status !== 200 || !terminal.csrf) throw new Error(`GET /examen: ${entry.status}, no form`);
  if (!entry.body.includes('action="/examen"')) throw new Error('GET /examen: no entry form (is the terminal admitted?)');
  expectRedirect('POST /examen', await terminal.post('/examen', { centre, jeton: code }), '/examen/identite');
  await terminal.get('/examen/identite');
  expectRedirect(
    'POST /examen/identite',
    await terminal.post('/examen/identite', {
      nom: `Banc${nameFor(index).toLowerCase()}`,
      prenom: `Essai ${nameFor(index)}`,
      date_naissance: '1985-04-23',
      entreprise: 'Travaux Publics du Banc',
    }),
    '/examen/consignes',
  );
  const rules = await terminal.get('/examen/consignes');
  if (rules.status !== 200 || !rules.body.includes('action="/examen/commencer"')) throw new Error(`GET /examen/consignes: ${rules.status}, no start form`);
}

/**
 * "Commencer", then the first question: the session is regenerated at the start, so the CSRF
 * token of the rules page is dead and the question page's form carries the new one.
 */
export async function startAndOpenFirstQuestion(terminal: KioskTerminal): Promise<void> {
  const before = terminal.cookieHeader;
  expectRedirect('POST /examen/commencer', await terminal.post('/examen/commencer', {}), '/examen/question/1');
  if (terminal.cookieHeader === before) throw new Error('POST /examen/commencer: the session cookie was not renewed');
  await openFirstQuestion(terminal);
}

export async function openFirstQuestion(terminal: KioskTerminal): Promise<void> {
  terminal.csrf = null;
  const question = await terminal.get('/examen/question/1');
  if (question.status !== 200 || !terminal.csrf || !question.body.includes('name="seq"')) {
    throw new Error(`GET /examen/question/1: ${question.status}, no answer form`);
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
