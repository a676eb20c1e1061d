import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserPool } from '../../src/services/pdf/browser-pool.js';
import type { Teardown } from './app.js';

const run = promisify(execFile);

/**
 * Reading PDFs back as a person would, with poppler (pdftotext, pdfinfo, pdfimages, pdftoppm) and
 * zbar (zbarimg), in a folder of the test's own that its teardown removes.
 */
export async function pdfTools(t: Teardown) {
  const work = await mkdtemp(join(tmpdir(), 'qcm-aipr-pdf-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  let count = 0;
  const file = async (pdf: Uint8Array) => {
    count += 1;
    const path = join(work, `document-${count}.pdf`);
    await writeFile(path, pdf);
    return path;
  };
  return {
    /** pdftotext -layout's text (the whole document, or one page): the columns stay side by side. */
    async text(pdf: Uint8Array, options: { page?: number } = {}): Promise<string> {
      const pages = options.page ? ['-f', String(options.page), '-l', String(options.page)] : [];
      const { stdout } = await run('pdftotext', ['-layout', ...pages, await file(pdf), '-'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    },
    /** pdfinfo's fields (Title, Author, Pages…). */
    async info(pdf: Uint8Array): Promise<Record<string, string>> {
      const { stdout } = await run('pdfinfo', [await file(pdf)], { encoding: 'utf8' });
      const info: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const m = /^([^:]+):\s*(.*)$/.exec(line);
        if (m) info[m[1]!.trim()] = m[2]!.trim();
      }
      return info;
    },
    /** The rows of `pdfimages -list`: page, type, width, height. */
    async images(pdf: Uint8Array): Promise<{ page: number; type: string; width: number; height: number }[]> {
      const { stdout } = await run('pdfimages', ['-list', await file(pdf)], { encoding: 'utf8' });
      return stdout
        .split('\n')
        .slice(2)
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const cols = line.trim().split(/\s+/);
          return { page: Number(cols[0]), type: cols[2]!, width: Number(cols[3]), height: Number(cols[4]) };
        });
    },
    /** The QR codes of page 1, rendered at 200 dpi and decoded by zbarimg. */
    async qrCodes(pdf: Uint8Array): Promise<string[]> {
      const path = await file(pdf);
      const prefix = `${path}-page`;
      await run('pdftoppm', ['-r', '200', '-png', '-f', '1', '-l', '1', path, prefix]);
      const png = (await readdir(work)).find((f) => join(work, f).startsWith(prefix) && f.endsWith('.png'));
      if (!png) throw new Error('pdftoppm wrote no image');
      const { stdout } = await run('zbarimg', ['-q', '--raw', join(work, png)], { encoding: 'utf8' });
      return stdout.split('\n').filter((line) => line !== '');
    },
  };
}

/**
 * Whether a PDF's text holds `expected`, spaces aside: pdftotext may read a wide letter's gap inside
 * an attestation number as a space (« AIPR-2026-Q JJB-… » for « AIPR-2026-QJJB-… »).
 */
export function holdsIgnoringSpaces(text: string, expected: string): boolean {
  const squeeze = (s: string) => s.normalize('NFC').replace(/\s+/g, '');
  return squeeze(text).includes(squeeze(expected));
}

/**
 * pdftotext -layout's text as one line: a line broken after a hyphen is joined back (without
 * -layout, pdftotext would drop the hyphen of « C9WR-V2D9 » as if it were a word's), every run of
 * spaces is one space.
 */
export function flat(text: string): string {
  return text
    .normalize('NFC')
    .replace(/-\n\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Holds the pool's renders until `open()`: a job then stays « running » as long as the test needs to
 * look at it. The renders themselves are the real ones.
 */
export function holdRenders(pool: BrowserPool): { open(): void } {
  const original = pool.renderPages.bind(pool);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  pool.renderPages = async (html: string) => {
    await gate;
    return original(html);
  };
  return {
    open() {
      Reflect.deleteProperty(pool, 'renderPages');
      release();
    },
  };
}
