import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'puppeteer';
import { PublicError } from '../public-error.js';
import { chromiumArgs, needsNoSandbox } from './browser-path.js';

export class PdfUnavailableError extends PublicError {
  constructor() {
    super(503, 'La génération des PDF est indisponible : aucun navigateur Chromium n’est installé sur le serveur. Prévenez l’exploitant de la plateforme.');
  }
}

export class PdfBusyError extends PublicError {
  constructor() {
    super(503, 'Le serveur prépare déjà beaucoup de documents. Réessayez dans une minute.');
  }
}

export class PdfOwnerBusyError extends PublicError {
  constructor() {
    super(429, 'Votre centre fait déjà préparer plusieurs documents : attendez qu’ils soient prêts, puis relancez celui-ci.');
  }
}

export class PdfClosedError extends PublicError {
  constructor() {
    super(503, 'Le serveur redémarre : relancez l’impression dans un instant.');
  }
}

export class PdfFailedError extends PublicError {
  constructor(cause: unknown) {
    super(503, 'La préparation du PDF a échoué (le navigateur du serveur s’est arrêté ou n’a pas répondu). Réessayez : un nouveau navigateur sera lancé.', {
      cause,
    });
  }
}

/**
 * The owner a centre's documents are counted under (`limits.perOwner`). A session's background print
 * has its own bound (JOBS_PER_CENTRE) and renders under no owner: its chunks never fail half-way.
 */
export function centrePdfOwner(centreCode: string): string {
  return `centre:${centreCode}`;
}

/** What every PDF of the platform says of itself (shown by readers, used by search and screen readers). */
export interface PdfMetadata {
  title: string;
  author: string;
  subject?: string;
}

export interface PoolLimits {
  /** Pages rendering at once: each costs the browser memory and a share of the CPU. */
  pages: number;
  /** Documents waiting for a page; beyond, a request is refused at once rather than queued for ever. */
  queue: number;
  /** One document's time limit: a browser that hangs fails the job instead of holding its page. */
  timeoutMs: number;
  /**
   * Documents one owner (a centre) may have rendering or waiting at once: without it, one centre's
   * repeated clicks (or a script) would fill the queue and refuse every other centre's prints.
   */
  perOwner?: number;
}

/** How Chromium says its sandbox cannot start (namespaces refused, no setuid helper). */
const SANDBOX_REFUSED = /No usable sandbox|namespace|setuid sandbox|zygote/i;

/** What the pool needs of its process: its user id (root runs Chromium without the sandbox) and a place to warn. */
export interface PoolHost {
  uid: number | undefined;
  warn(message: string, err: unknown): void;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = { pages: 2, queue: 40, timeoutMs: 60_000, perOwner: 3 };

/**
 * The one browser of the process, launched on first use and kept warm, with its pages: each
 * document gets a page (a kept one when there is one), never a browser of its own. A browser that dies is relaunched on the next document; a bounded
 * number of pages render at once, a bounded queue waits, the rest is refused with a French 503.
 */
export class BrowserPool {
  #browser: Promise<Browser> | null = null;
  #profileDir: string | null = null;
  #idlePages: Page[] = [];
  /** Once closed (the server stops), no browser is launched again, even for a job still running. */
  #closed = false;
  #active = 0;
  #waiting: (() => void)[] = [];
  #owners = new Map<string, number>();
  /** Set once a sandboxed launch failed: the next launches go without the sandbox at once. */
  #sandboxRefused = false;

  constructor(
    readonly executablePath: string | null,
    readonly limits: PoolLimits = DEFAULT_POOL_LIMITS,
    readonly host: PoolHost = { uid: process.getuid?.(), warn: () => undefined },
  ) {}

  get available(): boolean {
    return this.executablePath !== null;
  }

  /** Pages rendering now and documents waiting for one, for the benchmark and the tests. */
  get load(): { active: number; waiting: number } {
    return { active: this.#active, waiting: this.#waiting.length };
  }

  async browser(): Promise<Browser> {
    if (!this.executablePath) throw new PdfUnavailableError();
    if (this.#closed) throw new PdfClosedError();
    const current = (this.#browser ??= this.#launch(this.executablePath));
    try {
      const browser = await current;
      if (browser.connected) return browser;
      // Disconnected but perhaps alive (it would hold the profile folder): end it before relaunching.
      browser.process()?.kill('SIGKILL');
    } catch {
      // a launch that failed is retried below
    }
    // Documents that found the same dead browser share one relaunch: two launches on one profile
    // folder would fail, or leave a browser nobody closes.
    if (this.#browser === current) {
      this.#idlePages = [];
      this.#browser = this.#launch(this.executablePath);
    }
    return this.#browser;
  }

  async #launch(executablePath: string): Promise<Browser> {
    const { default: puppeteer } = await import('puppeteer');
    const profileDir = (this.#profileDir ??= await mkdtemp(join(tmpdir(), 'qcm-aipr-chromium-')));
    const launch = (sandbox: boolean) =>
      puppeteer.launch({ executablePath, headless: true, args: [...chromiumArgs(this.host.uid, { sandbox }), `--user-data-dir=${profileDir}`] });
    if (needsNoSandbox(this.host.uid) || this.#sandboxRefused) return launch(false);
    try {
      return await launch(true);
    } catch (err) {
      // Only the sandbox's own refusal: a slow start or a missing binary must not turn it off.
      if (!SANDBOX_REFUSED.test(err instanceof Error ? err.message : String(err))) throw err;
      // Debian's Chromium sandboxes itself with user namespaces, which Docker's default seccomp
      // profile refuses: a centre that cannot print its attestations is worse than PDFs rendered
      // without the sandbox (their pages run no JavaScript and reach no network). Said loudly once.
      this.#sandboxRefused = true;
      this.host.warn(
        'Chromium ne démarre pas avec son bac à sable (espaces de noms utilisateur refusés ?) : les PDF sont rendus sans bac à sable. Voir le README, section Docker.',
        err,
      );
      return launch(false);
    }
  }

  async #acquire(): Promise<void> {
    if (this.#active < this.limits.pages) {
      this.#active += 1;
      return;
    }
    if (this.#waiting.length >= this.limits.queue) throw new PdfBusyError();
    // The slot is handed over by #release: #active stays counted for the waiter.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active -= 1;
  }

  /**
   * Renders a self-contained HTML document (styles inline, fonts and images as data URIs) to an A4
   * PDF with its metadata. The page runs no script and reaches no network. `owner` (a centre) is
   * held to `limits.perOwner` documents at once.
   */
  async htmlToPdf(html: string, metadata: PdfMetadata, owner?: string): Promise<Buffer> {
    return withMetadata([await this.renderPages(html, owner)], metadata);
  }

  /** The raw PDF of one HTML document, in its turn among the pool's pages (see withMetadata to assemble). */
  async renderPages(html: string, owner?: string): Promise<Uint8Array> {
    if (!this.executablePath) throw new PdfUnavailableError();
    if (this.#closed) throw new PdfClosedError();
    const held = owner === undefined ? 0 : (this.#owners.get(owner) ?? 0);
    if (owner !== undefined && held >= (this.limits.perOwner ?? Infinity)) throw new PdfOwnerBusyError();
    if (owner !== undefined) this.#owners.set(owner, held + 1);
    try {
      await this.#acquire();
      try {
        return await this.#render(html);
      } finally {
        this.#release();
      }
    } finally {
      if (owner !== undefined) this.#forget(owner);
    }
  }

  #forget(owner: string): void {
    const held = (this.#owners.get(owner) ?? 1) - 1;
    if (held > 0) this.#owners.set(owner, held);
    else this.#owners.delete(owner);
  }

  /**
   * A page of the current browser, ready for a document: an idle one kept from a previous document
   * (opening a page is most of a warm PDF's cost), or a new one, set up once: no script, no network.
   */
  async #page(): Promise<Page> {
    const browser = await this.browser();
    const idle = this.#idlePages.pop();
    if (idle && !idle.isClosed() && idle.browser() === browser) return idle;
    const page = await browser.newPage();
    page.setDefaultTimeout(this.limits.timeoutMs);
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url().startsWith('data:')) void request.continue();
      else void request.abort('blockedbyclient');
    });
    return page;
  }

  async #render(html: string): Promise<Uint8Array> {
    let page: Page | undefined;
    try {
      page = await this.#page();
      await page.setContent(html, { waitUntil: 'load', timeout: this.limits.timeoutMs });
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, timeout: this.limits.timeoutMs });
      // The next document replaces this one: the page is kept for it (at most one per slot).
      if (this.#idlePages.length < this.limits.pages) this.#idlePages.push(page);
      else await page.close().catch(() => undefined);
      return pdf;
    } catch (err) {
      await page?.close().catch(() => undefined);
      throw err instanceof PublicError ? err : new PdfFailedError(err);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#browser;
    this.#browser = null;
    this.#idlePages = [];
    if (pending) await pending.then((b) => b.close()).catch(() => undefined);
    if (this.#profileDir) await rm(this.#profileDir, { recursive: true, force: true }).catch(() => undefined);
    this.#profileDir = null;
  }
}

/** One PDF of several, with the platform's metadata: title, author, French, the producer's name. */
export async function withMetadata(parts: readonly Uint8Array[], metadata: PdfMetadata): Promise<Buffer> {
  const [first, ...rest] = parts;
  if (!first) throw new RangeError('no PDF to assemble');
  const document = await PDFDocument.load(first, { updateMetadata: false });
  for (const part of rest) {
    const other = await PDFDocument.load(part, { updateMetadata: false });
    const pages = await document.copyPages(other, other.getPageIndices());
    for (const page of pages) document.addPage(page);
  }
  document.setTitle(metadata.title, { showInWindowTitleBar: true });
  document.setAuthor(metadata.author);
  if (metadata.subject) document.setSubject(metadata.subject);
  document.setLanguage('fr-FR');
  document.setCreator('QCM-AIPR');
  document.setProducer('QCM-AIPR (Chromium)');
  return Buffer.from(await document.save());
}
