import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  if (existsSync(file)) throw new Error(`Le fichier ${file} existe déjà : choisissez un autre nom.`);
  if (db.kind === 'sqlite') {
    await db.sqlite.backup(file);
    return file;
  }
  try {
    // The address goes through libpq's environment, not the command line that other users can list.
    await run('pg_dump', ['--format=custom', `--file=${file}`, '--no-password'], { env: { ...process.env, ...libpqEnvironment(db.url) } });
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
  return file;
}

/** DATABASE_URL as libpq's variables (PGHOST, PGPASSWORD…). */
function libpqEnvironment(url: string): Record<string, string> {
  const parsed = new URL(url);
  const env: Record<string, string> = { PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)) };
  if (parsed.hostname) env.PGHOST = decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, ''));
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const host = parsed.searchParams.get('host');
  if (host) env.PGHOST = host;
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}
