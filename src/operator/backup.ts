import { execFile } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../db/connection.js';

const run = promisify(execFile);

/**
 * A consistent copy of the database while the server keeps working. SQLite: its online backup, page
 * by page (WAL). PostgreSQL: pg_dump's custom format (for pg_restore), when pg_dump is installed;
 * otherwise the operator is told how to make one. Refuses to overwrite an existing file.
 */
export async function backupDatabase(db: Db, target: string): Promise<string> {
  const file = resolve(target);
  // Made first, empty, readable by the operator's user alone (candidates' identities and password
  // hashes are in it): the copy then never exists with a wider mode, even while it is written.
  // Exclusive: a file of that name, however it appeared, is never overwritten.
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`Le fichier ${file} existe déjà : choisissez un autre nom.`, { cause: err });
    throw err;
  }
  try {
    if (db.kind === 'sqlite') await db.sqlite.backup(file);
    else await dumpPostgres(db.url, file);
  } catch (err) {
    // No partial copy is left behind to be taken for a backup.
    rmSync(file, { force: true });
    throw err;
  }
  return file;
}

async function dumpPostgres(url: string, file: string): Promise<void> {
  const { dbname, password } = libpqAddress(url);
  try {
    // The password goes through libpq's environment, not the command line that other users can list;
    // the rest of the address (host, port, sslmode, sslrootcert…) is given whole, as libpq reads it.
    await run('pg_dump', ['--format=custom', `--file=${file}`, '--no-password', `--dbname=${dbname}`], {
      env: { ...process.env, ...(password === null ? {} : { PGPASSWORD: password }) },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'La base est PostgreSQL et pg_dump est introuvable : installez le client PostgreSQL (apt-get install postgresql-client, de la même version que le serveur au moins), ou sauvegardez la base depuis le serveur avec pg_dump --format=custom.',
        { cause: err },
      );
    }
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new Error(`pg_dump a échoué : ${detail}`, { cause: err });
  }
}

/** The parameters libpq reads in a connection URI (PostgreSQL's documentation, « Parameter Key Words »). */
const LIBPQ_PARAMETERS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'passfile',
  'channel_binding',
  'connect_timeout',
  'client_encoding',
  'options',
  'application_name',
  'fallback_application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'gssencmode',
  'sslmode',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
]);

/**
 * DATABASE_URL as pg_dump's --dbname, and the password apart (for PGPASSWORD, out of the command line
 * other users can list), whether it is in the address or in a `password` parameter. node-postgres
 * accepts parameters libpq refuses (« invalid URI query parameter »): `ssl=true` and
 * `sslmode=no-verify` become libpq's `sslmode=require` (encrypted, certificate not checked, as
 * node-postgres does), the others of node-postgres alone are left out.
 */
export function libpqAddress(url: string): { dbname: string; password: string | null } {
  const parsed = new URL(url);
  let password = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.password = '';
  const kept = new URLSearchParams();
  for (const [key, value] of parsed.searchParams) {
    if (key === 'password') password = value;
    else if (key === 'ssl') {
      if (value === 'true' || value === '1') kept.set('sslmode', kept.get('sslmode') ?? 'require');
    } else if (key === 'sslmode' && value === 'no-verify') kept.set('sslmode', 'require');
    else if (LIBPQ_PARAMETERS.has(key)) kept.set(key, value);
  }
  parsed.search = kept.toString();
  return { dbname: parsed.toString(), password };
}
