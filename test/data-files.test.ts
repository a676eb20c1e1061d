import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createOnce } from '../src/data-files.js';

function folder(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-data-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the first content written is the one every later caller gets; nothing is left aside', async (t) => {
  const dir = folder(t);
  const file = join(dir, 'secret');
  t.equal(createOnce(file, 'premier'), 'premier');
  t.equal(createOnce(file, 'second'), 'premier', 'a second instance keeps the first one’s secret');
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the server’s user alone');
  t.same(readdirSync(dir), ['secret'], 'no file written aside is left');
});

t.test('on a volume without hard links, the file is still created once', async (t) => {
  const dir = folder(t);
  const noLinks = Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  let linksTried = 0;
  const { createOnce: createWithoutLinks } = await t.mockImport<typeof import('../src/data-files.js')>('../src/data-files.js', {
    'node:fs': {
      ...fs,
      linkSync: () => {
        linksTried++;
        throw noLinks;
      },
    },
  });
  const file = join(dir, 'secret');
  t.equal(createWithoutLinks(file, 'premier'), 'premier');
  t.equal(createWithoutLinks(file, 'second'), 'premier', 'the second caller reads the first one’s');
  t.equal(linksTried, 2, 'each caller tried a hard link first');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.same(readdirSync(dir), ['secret']);
});

t.test('without hard links, a caller finding the file created but still empty waits for its content', async (t) => {
  const dir = folder(t);
  const file = join(dir, 'secret');
  let reads = 0;
  const { createOnce: createWithoutLinks } = await t.mockImport<typeof import('../src/data-files.js')>('../src/data-files.js', {
    'node:fs': {
      ...fs,
      linkSync: () => {
        throw Object.assign(new Error('operation not supported'), { code: 'ENOTSUP' });
      },
      // The first instance created the file and has not written it yet: the second reads it empty twice.
      readFileSync: (path: string, encoding: BufferEncoding) => (++reads <= 2 ? '' : fs.readFileSync(path, encoding)),
    },
  });
  fs.writeFileSync(file, 'premier', { mode: 0o600 });
  t.equal(createWithoutLinks(file, 'second'), 'premier');
  t.equal(reads, 3, 'read again until the content was there');
});
