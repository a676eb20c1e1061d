import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../test/helpers/ports.js';

const run = promisify(execFile);

export const MISSING_POSTGRES_BENCH = 'the PostgreSQL benchmarks need Debian’s postgresql package (apt-get install postgresql)';

export interface BenchPostgres {
  /** Debian's version, e.g. "15". */
  version: string;
  /** A new, empty database on the cluster, and its URL. */
  createDatabase(name: string): Promise<string>;
  /** The postmaster's pid: its descendants are the server's processes (cpu-usage.ts). */
  postmasterPid(): number;
  stop(): Promise<void>;
}

/**
 * A throw-away cluster from Debian's postgresql, on a temporary folder of the same disk as the
 * SQLite benchmarks' files and a loopback port. Unlike the tests' cluster (test/helpers/postgres.ts,
 * fsync off for speed), it keeps PostgreSQL's durable defaults — fsync, synchronous_commit,
 * full_page_writes on — so that an acknowledged save is on disk, as with SQLite's synchronous=FULL:
 * otherwise the two databases would not be measured doing the same work. Everything else is the
 * packaged default (shared_buffers 128 MB) but max_connections, raised for two instances' pools and
 * the benchmark's own. As root, the cluster is the `postgres` user's (PostgreSQL refuses root).
 * Null without the package.
 */
export async function startBenchPostgres(): Promise<BenchPostgres | null> {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return null;
  }
  const version = versions.find((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  if (!version) return null;
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args);
  const data = join(dir, 'data');
  try {
    if (asRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      chownSync(dir, uid, uid);
    }
    await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      version,
      async createDatabase(name) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          await admin.query(`create database ${name}`);
        } finally {
          await admin.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      postmasterPid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
      async stop() {
        await as('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
