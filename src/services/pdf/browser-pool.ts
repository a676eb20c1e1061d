import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { CHROMIUM_ARGS } from './browser-path.js';

export class PdfUnavailableError extends Error {
  readonly statusCode = 503;
  constructor() {
    super('La génération des PDF est indisponible : aucun navigateur Chromium n’est installé sur le serveur. Prévenez l’exploitant de la plateforme.');
  }
}

/**
 * The one browser of the process, launched on first use and kept warm: each document gets a page,
 * never a browser of its own. A browser that dies is relaunched on the next request.
 */
export class BrowserPool {
  #browser: Promise<Browser> | null = null;
  #profileDir: string | null = null;

  constructor(readonly executablePath: string | null) {}

  get available(): boolean {
    return this.executablePath !== null;
  }

  async browser(): Promise<Browser> {
    if (!this.executablePath) throw new PdfUnavailableError();
    this.#browser ??= this.#launch(this.executablePath);
    try {
      const browser = await this.#browser;
      if (browser.connected) return browser;
    } catch {
      // fall through to a new launch
    }
    this.#browser = this.#launch(this.executablePath);
    return this.#browser;
  }

  async #launch(executablePath: string): Promise<Browser> {
    const { default: puppeteer } = await import('puppeteer');
    this.#profileDir ??= await mkdtemp(join(tmpdir(), 'qcm-aipr-chromium-'));
    return puppeteer.launch({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, `--user-data-dir=${this.#profileDir}`],
    });
  }

  /** Renders a self-contained HTML document (styles inline or data URIs) to an A4 PDF. */
  async htmlToPdf(html: string): Promise<Buffer> {
    const browser = await this.browser();
    const page = await browser.newPage();
    try {
      await page.setJavaScriptEnabled(false);
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      return Buffer.from(pdf);
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const pending = this.#browser;
    this.#browser = null;
    if (pending) await pending.then((b) => b.close()).catch(() => undefined);
    if (this.#profileDir) await rm(this.#profileDir, { recursive: true, force: true }).catch(() => undefined);
    this.#profileDir = null;
  }
}
