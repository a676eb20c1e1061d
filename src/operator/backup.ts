import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type SQLite from 'better-sqlite3';

/**
 * SQLite's online backup: a consistent copy page by page, while the server keeps reading and
 * writing (WAL). Refuses to overwrite an existing file.
 */
export async function backupDatabase(sqlite: SQLite.Database, target: string): Promise<string> {
  const file = resolve(target);
  if (existsSync(file)) throw new Error(`Le fichier ${file} existe déjà : choisissez un autre nom.`);
  await sqlite.backup(file);
  return file;
}
