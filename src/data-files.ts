import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Creates `file` with `content` unless it exists, and returns what the file holds. Instances sharing
 * one data folder may start at once: the file appears whole or not at all (written aside, then
 * linked, which fails if another instance linked first), and every instance keeps the first one's
 * secret. Readable by the server's user alone.
 */
export function createOnce(file: string, content: string): string {
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
    return content;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (NO_HARD_LINKS.has(code)) return createExclusively(file, content);
    if (code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(aside, { force: true });
  }
}

// Some shared volumes (certain network file systems) make no hard link.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Without hard links: still only one instance creates the file. Another may find it created but not
 * yet written (one small write, a moment later): it reads again until the content is there.
 */
function createExclusively(file: string, content: string): string {
  try {
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const written = readFileSync(file, 'utf8');
    if (written.length > 0) return written;
    Atomics.wait(PAUSE, 0, 0, 10);
  }
  throw new Error(`Le fichier ${file} est vide : supprimez-le, puis redémarrez les instances (une seule d’abord).`);
}

// A synchronous pause of a few milliseconds (start-up code, before the server listens).
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
