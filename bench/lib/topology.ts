/**
 * Instances of the platform on one PostgreSQL behind nginx, as an operator deploys them (compose.yaml,
 * deploy/nginx.conf), for the benchmarks: each instance the real server (`node --import tsx
 * src/server.ts`, NODE_ENV=production, its request log on as in production) on a loopback port,
 * all sharing the database, the data folder and the session secret; next to them as many bare
 * reference servers, each a process of its own (bare-process.ts). nginx listens on one port per
 * group, « the first n instances » and « the first n bare servers » for each n, so that one and
 * two instances are measured on the same database, through the same proxy, in the same run.
 *
 * Unlike test/helpers/instances.ts (a tap fixture: its own database and seed, one group, nginx with
 * one worker for a strict alternation, no keep-alive to the instances), nginx here is configured as
 * deploy/nginx.conf is: kept-alive connections to the upstreams, HTTP/1.1, one worker per core.
 * Its access log is off: the instances log every request already.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/ports.js';
import type { CpuGroup } from './cpu-usage.js';
import { sleep } from './stats.js';

export const NGINX = '/usr/sbin/nginx';
export const MISSING_NGINX_BENCH = 'the multi-instance benchmark needs Debian’s nginx package (apt-get install nginx)';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BARE_PROCESS = fileURLToPath(new URL('./bare-process.ts', import.meta.url));
/** tsx compiles the sources on a cold cache: an instance may take this long to listen. */
const START_TIMEOUT_MS = 90_000;

export interface Topology {
  /** nginx in front of the first `n` instances (1 ≤ n ≤ the count started). */
  appUrl(n: number): string;
  /** nginx in front of the first `n` bare servers. */
  bareUrl(n: number): string;
  /** The instances, the bare servers and nginx, for cpu-usage.ts. */
  cpuGroups: CpuGroup[];
  /** Warnings and errors in the instances' logs and nginx's (the first few), read after the run. */
  logProblems(): string[];
  close(): Promise<void>;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!alive(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(stuck);
}

async function waitHealthy(url: string, child: ChildProcess, what: string): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (!alive(child)) throw new Error(`${what} exited before answering ${url}/healthz`);
    try {
      const res = await fetch(`${url}/healthz`);
      const body = (await res.json()) as { databaseKind?: string };
      if (res.status === 200) {
        if (body.databaseKind !== 'PostgreSQL') throw new Error(`${what} runs on ${body.databaseKind}, not PostgreSQL`);
        return;
      }
    } catch (err) {
      if (err instanceof Error && err.message.includes('not PostgreSQL')) throw err;
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${what} did not answer ${url}/healthz within ${START_TIMEOUT_MS} ms`);
}

function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(BARE_PROCESS, [], { cwd: PROJECT_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (url: string) => resolve({ child, url }));
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
  });
}

function nginxConfig(prefix: string, groups: { name: string; port: number; upstreams: string[] }[]): string {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes auto;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx closes a kept-alive connection after 1,000 requests by default: a request autocannon had
  # built for it then never gets its response (and the candidate it used stays taken).
  keepalive_requests 10000000;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${groups
  .map(
    (g) => `  upstream ${g.name} {
${g.upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 32;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${g.port};
    location / {
      proxy_pass http://${g.name};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }`,
  )
  .join('\n')}
}
`;
}

/** Lines of a log at pino's warn level or above, or not pino's at all (a crash's stack), the start-up line aside. */
function problemLines(file: string, label: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => {
      if (!line.trim() || line.startsWith('QCM-AIPR à l')) return false;
      const level = /^\{"level":(\d+)/.exec(line)?.[1];
      return level === undefined || Number(level) >= 40;
    })
    .map((line) => `${label}: ${line.slice(0, 300)}`);
}

/**
 * Starts `count` instances on `databaseUrl` (already migrated and seeded: they find nothing to
 * migrate), `count` bare servers, and nginx; throws without nginx.
 */
export async function startTopology(options: { databaseUrl: string; count: number; sessionSecret: string }): Promise<Topology> {
  if (!existsSync(NGINX)) throw new Error(MISSING_NGINX_BENCH);
  const prefix = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-topology-'));
  const dataDir = join(prefix, 'data');
  const instances: ChildProcess[] = [];
  const bares: ChildProcess[] = [];
  let nginx: ChildProcess | null = null;
  const close = async () => {
    if (nginx) await stop(nginx, 'SIGQUIT');
    await Promise.all(instances.map((c) => stop(c, 'SIGTERM')));
    await Promise.all(bares.map((c) => stop(c, 'SIGTERM')));
    rmSync(prefix, { recursive: true, force: true });
  };
  // Should the benchmark die without its cleanup, no server outlives it.
  const killAll = () => {
    for (const c of [...instances, ...bares, ...(nginx ? [nginx] : [])]) if (alive(c)) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    const ports = { app: [] as number[], bare: [] as number[] };
    for (let n = 1; n <= options.count; n++) {
      ports.app.push(await freePort());
      ports.bare.push(await freePort());
    }
    const publicUrl = `http://127.0.0.1:${ports.app[options.count - 1]!}`;
    const instancePorts: number[] = [];
    for (let i = 0; i < options.count; i++) instancePorts.push(await freePort());
    const logs = instancePorts.map((_p, i) => join(prefix, `instance-${i}.log`));
    const inherited = { ...process.env };
    delete inherited.TEST_DATABASE_URL;
    await Promise.all(
      instancePorts.map(async (port, i) => {
        const log = openSync(logs[i]!, 'a');
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
          cwd: PROJECT_ROOT,
          stdio: ['ignore', log, log],
          env: {
            ...inherited,
            DATABASE_URL: options.databaseUrl,
            SESSION_SECRET: options.sessionSecret,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            NODE_ENV: 'production',
            PUBLIC_URL: publicUrl,
            TRUST_PROXY: 'loopback',
          },
        });
        closeSync(log);
        instances[i] = child;
        await waitHealthy(`http://127.0.0.1:${port}`, child, `instance ${i}`);
      }),
    );
    const bareUrls: string[] = [];
    for (let i = 0; i < options.count; i++) {
      const bare = await startBare();
      bares.push(bare.child);
      bareUrls.push(bare.url);
    }

    for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
    const groups = ports.app.flatMap((appPort, k) => [
      { name: `app${k + 1}`, port: appPort, upstreams: instancePorts.slice(0, k + 1).map((p) => `127.0.0.1:${p}`) },
      { name: `bare${k + 1}`, port: ports.bare[k]!, upstreams: bareUrls.slice(0, k + 1).map((u) => new URL(u).host) },
    ]);
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(conf, nginxConfig(prefix, groups));
    const errorLog = join(prefix, 'nginx-error.log');
    nginx = spawn(NGINX, ['-p', prefix, '-c', conf, '-e', errorLog, '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let n = 1; n <= options.count; n++) await waitHealthy(`http://127.0.0.1:${ports.app[n - 1]!}`, nginx, 'nginx');
    const proxy = nginx;

    return {
      appUrl: (n) => `http://127.0.0.1:${ports.app[n - 1]!}`,
      bareUrl: (n) => `http://127.0.0.1:${ports.bare[n - 1]!}`,
      cpuGroups: [
        { label: 'instances', roots: () => instances.map((c) => c.pid!) },
        { label: 'bare', roots: () => bares.map((c) => c.pid!) },
        { label: 'nginx', roots: () => [proxy.pid!] },
      ],
      logProblems: () => [...logs.flatMap((file, i) => problemLines(file, `instance ${i}`)), ...problemLines(errorLog, 'nginx')],
      async close() {
        process.off('exit', killAll);
        await close();
      },
    };
  } catch (err) {
    process.off('exit', killAll);
    await close();
    throw err;
  }
}
