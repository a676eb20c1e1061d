/**
 * Several instances of the platform on one PostgreSQL, behind nginx, as an operator runs them
 * « beyond one machine » (issue 14): each instance the real server (`node --import tsx
 * src/server.ts`, a child process on a loopback port), all of them sharing the database and the
 * data folder (session secret, attestation signing key); nginx from Debian's package in front, in
 * round robin with no sticky sessions, saying in `X-Instance` which instance answered. And a
 * client over real sockets (HttpAgent), like the inject-based Agent of app.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabaseUrl, type PostgresDb } from '../../src/db/connection.js';
import type { Database } from '../../src/db/schema.js';
import { systemClock } from '../../src/clock.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { ROOT_DIR } from '../../src/paths.js';
import { DEMO_PASSWORD, type Teardown } from './app.js';
import { startPostgres } from './postgres.js';
import { freePort } from './ports.js';

export const NGINX = '/usr/sbin/nginx';
export const MISSING_NGINX = 'Les tests à plusieurs instances ont besoin du paquet Debian nginx (apt-get install nginx).';

/** How long an instance may take to compile, migrate and listen: tsx compiles the sources on a cold cache. */
const START_TIMEOUT_MS = 90_000;

type Tap = Teardown & { fail(message: string): void; passing(): boolean };

export interface Instance {
  /** Its own address, past nginx: to send a request to this instance and no other. */
  url: string;
  /** How nginx names it in X-Instance (`$upstream_addr`). */
  address: string;
  /** Whether its process is alive (false after kill, until restart). */
  running(): boolean;
}

export interface Topology {
  /** nginx's address, the one PUBLIC_URL names. */
  url: string;
  instances: Instance[];
  databaseUrl: string;
  /** A pool of the test's own on the shared database, for setting up and checking what is stored. */
  db: Kysely<Database>;
  /** Sends `signal` to instance `i` and waits for its process to end. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts instance `i` again on its port, and waits until it answers. */
  restart(i: number): Promise<void>;
  /**
   * Starts one more instance on the database, with `env` over the others' settings (another
   * DATA_DIR…), outside nginx: `exitCode` if it ended by itself, null if it answered /healthz (it is
   * then stopped); `output`, what it printed.
   */
  tryStart(env: NodeJS.ProcessEnv): Promise<{ exitCode: number | null; output: string }>;
}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
}

/**
 * What the children said, printed only when the test fails (it is what explains a failure). The
 * servers' lines for each request that went well are left out: hundreds of them would bury the
 * few that matter (X-Instance already says which instance answered what).
 */
class OutputLog {
  #lines: string[] = [];
  add(name: string, chunk: Buffer) {
    for (const line of chunk.toString().split('\n')) {
      if (!line || /"msg":"incoming request"/.test(line) || /"statusCode":[1-4]\d\d\b.*"msg":"request completed"/.test(line)) continue;
      this.#lines.push(`[${name}] ${line}`);
    }
  }
  text(): string {
    return this.#lines.join('\n');
  }
}

function spawnChild(command: string, args: string[], env: NodeJS.ProcessEnv, name: string, log: OutputLog, cwd = ROOT_DIR): Child {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => log.add(name, d));
  child.stderr.on('data', (d: Buffer) => log.add(name, d));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      log.add(name, Buffer.from(`exited (code ${code}, signal ${signal})`));
      resolve();
    });
  });
  return { process: child, exited };
}

const alive = (child: Child | undefined) => !!child && child.process.exitCode === null && child.process.signalCode === null;

/** Sends `signal` and waits for the end; a process still there after a while (a shutdown stuck on a connection) is killed. */
async function stopChild(child: Child | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || !alive(child)) return;
  child.process.kill(signal);
  const stuck = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(stuck);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `url` answers `/healthz` with 200 (and, for an instance, on PostgreSQL); throws with the log if the child dies first. */
async function waitHealthy(url: string, child: Child, log: OutputLog, expectPostgres: boolean): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (!alive(child)) throw new Error(`${url} exited before answering:\n${log.text()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      const body = (await res.json()) as { databaseKind?: string };
      if (res.status === 200) {
        if (expectPostgres && body.databaseKind !== 'PostgreSQL') throw new Error(`${url} runs on ${body.databaseKind}, not PostgreSQL`);
        return;
      }
    } catch (err) {
      if (err instanceof Error && err.message.includes('not PostgreSQL')) throw err;
      // Not listening yet.
    }
    await pause(100);
  }
  throw new Error(`${url} did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${log.text()}`);
}

function nginxConfig(prefix: string, port: number, upstreams: number[]): string {
  // One worker: round robin is per worker, so that one client's consecutive requests alternate.
  // fail_timeout: a killed instance is tried again a second after it failed, not ten.
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
error_log ${prefix}/error.log info;
events { worker_connections 1024; }
http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream qcm_aipr {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://qcm_aipr;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      add_header X-Instance $upstream_addr always;
    }
  }
}
`;
}

/**
 * A fresh PostgreSQL database (startPostgres: TEST_DATABASE_URL, or a throw-away cluster), `count`
 * instances started together on it (they migrate it between them, as several instances of a
 * deployment do), the demo data seeded once (accounts with DEMO_PASSWORD, centre0001, the three
 * banks, tokens, today's open session), then nginx in front. All stopped when `t` ends; the
 * children's output is printed if `t` failed. Fails `t` (never skips) and returns null without
 * PostgreSQL or nginx.
 */
export async function startInstances(t: Tap, options: { count?: number } = {}): Promise<Topology | null> {
  const count = options.count ?? 2;
  if (!existsSync(NGINX)) {
    t.fail(MISSING_NGINX);
    return null;
  }
  const postgres = await startPostgres(t);
  if (!postgres) return null;
  const { url: databaseUrl } = await postgres.database(t);

  const log = new OutputLog();
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-instances-'));
  const prefix = mkdtempSync(join(tmpdir(), 'qcm-aipr-nginx-'));
  const children: (Child | undefined)[] = [];
  const proxy: { nginx?: Child } = {};
  const opened: { db?: PostgresDb } = {};
  // Should the test process end without its teardown (a tap timeout), no server outlives it.
  const killAll = () => {
    for (const child of [...children, proxy.nginx]) if (alive(child)) child!.process.kill('SIGKILL');
  };
  process.once('exit', killAll);
  t.teardown(async () => {
    process.off('exit', killAll);
    await stopChild(proxy.nginx, 'SIGTERM');
    await Promise.all(children.map((c) => stopChild(c, 'SIGTERM')));
    await opened.db?.close();
    if (!t.passing()) {
      const nginxErrors = existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : '';
      process.stderr.write(`--- output of the instances and nginx ---\n${log.text()}\n--- nginx error.log ---\n${nginxErrors}\n`);
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(prefix, { recursive: true, force: true });
  });

  const nginxPort = await freePort();
  const publicUrl = `http://127.0.0.1:${nginxPort}`;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const env = (port: number): NodeJS.ProcessEnv => {
    const inherited = { ...process.env };
    // The instances find their database by DATABASE_URL only, and their secret in the shared folder.
    delete inherited.TEST_DATABASE_URL;
    delete inherited.SESSION_SECRET;
    return {
      ...inherited,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      PUBLIC_URL: publicUrl,
      TRUST_PROXY: 'loopback',
    };
  };
  const startInstance = async (i: number) => {
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/server.ts'], env(ports[i]!), `instance ${i}`, log);
    children[i] = child;
    await waitHealthy(`http://127.0.0.1:${ports[i]}`, child, log, true);
  };
  await Promise.all(ports.map((_p, i) => startInstance(i)));

  const db = await openDatabaseUrl(databaseUrl, { poolSize: 4 });
  opened.db = db;
  await seedDemo(db.kysely, systemClock, DEMO_PASSWORD);

  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConfig(prefix, nginxPort, ports));
  const nginx = spawnChild(
    NGINX,
    ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`],
    process.env,
    'nginx',
    log,
  );
  proxy.nginx = nginx;
  await waitHealthy(publicUrl, nginx, log, true);

  return {
    url: publicUrl,
    instances: ports.map((port, i) => ({ url: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}`, running: () => alive(children[i]) })),
    databaseUrl,
    db: db.kysely,
    kill: (i, signal = 'SIGKILL') => stopChild(children[i], signal),
    async restart(i) {
      if (alive(children[i])) throw new Error(`instance ${i} is still running`);
      await startInstance(i);
    },
    async tryStart(overrides) {
      const port = await freePort();
      const own = new OutputLog();
      const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/server.ts'], { ...env(port), ...overrides }, 'extra instance', own);
      try {
        await waitHealthy(`http://127.0.0.1:${port}`, child, own, true);
      } catch (err) {
        if (alive(child)) throw err;
        return { exitCode: child.process.exitCode, output: own.text() };
      }
      await stopChild(child, 'SIGTERM');
      return { exitCode: null, output: own.text() };
    },
  };
}

export interface HttpResponse {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
  /** The instance that answered (the last address of nginx's X-Instance), or null when the request did not go through nginx. */
  instance: string | null;
}

/**
 * A browser-like client over real sockets, like the inject-based Agent of app.ts: keeps the cookies
 * (whatever their path, as that Agent does), remembers the CSRF token of the last page, and follows
 * no redirect by itself. Requests go to `baseUrl` (nginx) unless `via` names another address (an
 * instance). `ip` is sent as X-Forwarded-For, which the instances trust from loopback: each agent is
 * a terminal or a person of its own to the throttles and the audit log.
 */
export class HttpAgent {
  cookies = new Map<string, string>();
  csrfToken: string | null = null;
  /** The instance that answered each request, in order (see HttpResponse.instance). */
  answeredBy: (string | null)[] = [];

  constructor(
    public baseUrl: string,
    public ip = '10.0.0.1',
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Another agent with this one's cookies and token as they are now: the same browser, copied. */
  copy(): HttpAgent {
    const other = new HttpAgent(this.baseUrl, this.ip);
    other.cookies = new Map(this.cookies);
    other.csrfToken = this.csrfToken;
    return other;
  }

  async #send(path: string, init: RequestInit & { headers: Record<string, string> }, via?: string): Promise<HttpResponse> {
    const res = await fetch((via ?? this.baseUrl) + path, {
      ...init,
      headers: { cookie: this.cookieHeader(), 'x-forwarded-for': this.ip, ...init.headers },
      redirect: 'manual',
    });
    const body = await res.text();
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attributes.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find((v) => v !== undefined);
      const cleared = value === '' || /max-age=0\b/i.test(line) || (expires !== undefined && Date.parse(expires) < Date.now());
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(body);
    if (match) this.csrfToken = match[1]!;
    const upstream = res.headers.get('x-instance');
    // After a failed attempt nginx lists every instance it tried: the last one answered.
    const instance = upstream === null ? null : upstream.split(',').at(-1)!.trim();
    this.answeredBy.push(instance);
    return { status: res.status, location: res.headers.get('location'), body, headers: res.headers, instance };
  }

  get(path: string, options: { via?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    return this.#send(path, { method: 'GET', headers: options.headers ?? {} }, options.via);
  }

  /** Posts a form; the CSRF token of the last page is added unless `csrf` is null. */
  post(
    path: string,
    fields: Record<string, string>,
    options: { via?: string; headers?: Record<string, string>; csrf?: string | null } = {},
  ): Promise<HttpResponse> {
    const body = new URLSearchParams(fields);
    const token = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (token !== null) body.append('_csrf', token);
    return this.#send(
      path,
      { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers } },
      options.via,
    );
  }
}
