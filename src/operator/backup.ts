import { execFile } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
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
  } else {
    await dumpPostgres(db.url, file);
  }
  // Candidates' identities are in it: readable by the operator's user alone.
  chmodSync(file, 0o600);
  return file;
}

async function dumpPostgres(url: string, file: string): Promise<void> {
  const { dbname, password } = withoutPassword(url);
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

/** DATABASE_URL without its password (libpq reads a URI as the database name), and the password apart. */
function withoutPassword(url: string): { dbname: string; password: string | null } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.password = '';
  return { dbname: parsed.toString(), password };
}
