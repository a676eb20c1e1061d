import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Mail, Mailer } from '../../src/services/mailer.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { dropTestDatabase, openTestDatabase } from './postgres.js';

/** The demo accounts' password in tests (the platform itself draws one at random, src/operator/seed-demo.ts). */
export const DEMO_PASSWORD = 'demo-aipr-2026';

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789-abcdefghijklmnop';

/** What the helpers need of a tap test: somewhere to register the clean-up. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestAppOptions {
  /** The demo data of `npm run cli -- seed-demo` (src/operator/seed-demo.ts): its two accounts, centre0001, banks, tokens and today's open session. */
  seed?: boolean;
  /** An existing data folder: the data of an app closed with `close(true)`, for a restart. */
  dataDir?: string;
  clock?: ManualClock;
  browserPath?: string | null;
  env?: Record<string, string>;
  mailer?: Mailer;
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  clock: ManualClock;
  config: Config;
  dataDir: string;
  /**
   * Closes the app and the database; `keepData` leaves the folder for a restart. Once closed, a
   * call only removes the folder: the teardown of `t` still runs after a restart.
   */
  close(keepData?: boolean): Promise<void>;
}

/**
 * An app on a fresh database folder (or on `dataDir`), closed and its folder removed when `t` ends.
 * To restart on the same data: `close(true)`, then another createTestApp with its `dataDir` and `clock`.
 */
export async function createTestApp(t: Teardown, options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'qcm-aipr-test-'));
  const opened: { app?: FastifyInstance; db?: Db } = {};
  let open = true;
  const close = async (keepData = false) => {
    if (open) {
      open = false;
      await opened.app?.close();
      await opened.db?.close();
    }
    if (!keepData) {
      await dropTestDatabase(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  // Registered first: a configuration refused below still leaves no folder behind.
  t.teardown(() => close());
  const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', ...options.env });
  const db = await openTestDatabase(dataDir);
  opened.db = db;
  const clock = options.clock ?? new ManualClock();
  if (options.seed) await seedDemo(db.kysely, clock, DEMO_PASSWORD);
  const app = await buildApp(config, {
    db,
    sessionSecret: TEST_SESSION_SECRET,
    clock,
    browserPath: options.browserPath ?? null,
    logger: process.env.TEST_LOG === '1',
    // The tests call the sweep themselves (finishExpiredExams, closeStaleSessions): on its timer, it
    // would race the past days they build.
    periodicJobs: false,
    mailer: options.mailer,
  });
  opened.app = app;
  await app.ready();
  return { app, db, clock, config, dataDir, close };
}

/** A mailer that keeps what it is given to send (as if SMTP were configured). */
export function recordingMailer(): { mailer: Mailer; sent: Mail[] } {
  const sent: Mail[] = [];
  return { sent, mailer: { enabled: true, send: async (m) => void sent.push(m) } };
}

/** A file of a multipart form: its name as the browser sends it, and its bytes. */
export interface UploadFile {
  name: string;
  content: string | Buffer;
}

/**
 * A browser-like client over app.inject: keeps cookies, and remembers the CSRF token of the last
 * page it saw so that form posts carry it as a browser would.
 */
export class Agent {
  cookies = new Map<string, string>();
  csrfToken: string | null = null;

  constructor(
    public app: FastifyInstance,
    public ip = '127.0.0.1',
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const cleared = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (match) this.csrfToken = match[1]!;
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers }, remoteAddress: this.ip }));
  }

  /** Posts a form; the CSRF token of the last page is added unless `_csrf` is given (or null to omit it). */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const token = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (token !== null && !('_csrf' in fields)) body.append('_csrf', token);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...options.headers },
        remoteAddress: this.ip,
      }),
    );
  }

  /**
   * Posts a multipart form as a browser does for a file input: the CSRF token of the last page
   * first (unless `csrf` is null), then the parts in order; a file part with no name and no bytes
   * is what an input left empty sends.
   */
  async postMultipart(
    url: string,
    parts: Record<string, string | UploadFile>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const form = new FormData();
    const token = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (token !== null) form.append('_csrf', token);
    for (const [name, part] of Object.entries(parts)) {
      if (typeof part === 'string') form.append(name, part);
      else form.append(name, new Blob([new Uint8Array(typeof part.content === 'string' ? Buffer.from(part.content, 'utf8') : part.content)]), part.name);
    }
    const encoded = new Response(form);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: Buffer.from(await encoded.arrayBuffer()),
        headers: { 'content-type': encoded.headers.get('content-type')!, cookie: this.cookieHeader(), ...options.headers },
        remoteAddress: this.ip,
      }),
    );
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/connexion');
    return this.post('/connexion', { email, mot_de_passe: password });
  }
}
