import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer';
import { chromiumArgs, findBrowser } from '../../src/services/pdf/browser-path.js';
import type { Teardown } from './app.js';

export const NO_BROWSER_MESSAGE =
  'Aucun navigateur Chromium trouvé pour les tests de bout en bout : installez le paquet Debian « chromium » ' +
  '(apt-get install chromium) ou indiquez son chemin dans PUPPETEER_EXECUTABLE_PATH. Ces tests ne sont jamais sautés.';

export interface LaunchedBrowser {
  browser: Browser;
  executablePath: string;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * A headless Chromium with a profile of its own, found the way the app finds it (src/services/pdf/browser-path.ts).
 * Throws with NO_BROWSER_MESSAGE when there is none: end-to-end tests must fail, never skip.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const executablePath = await findBrowser(process.env.PUPPETEER_EXECUTABLE_PATH ?? null);
  if (!executablePath) throw new Error(NO_BROWSER_MESSAGE);
  const profileDir = await mkdtemp(join(tmpdir(), 'qcm-aipr-e2e-profile-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...chromiumArgs(process.getuid?.()), `--user-data-dir=${profileDir}`],
    });
  } catch (err) {
    await rm(profileDir, { recursive: true, force: true });
    throw new Error(`Chromium (${executablePath}) n’a pas pu être lancé : ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    browser,
    executablePath,
    async close() {
      await browser.close().catch(() => undefined);
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * The browser of an end-to-end test file, closed when `t` ends. When none can be found or launched,
 * the file fails (never skips) and this returns null.
 */
export async function browserForFile(t: Teardown & { fail(message: string): void }): Promise<LaunchedBrowser | null> {
  let launched: LaunchedBrowser;
  try {
    launched = await launchBrowser();
  } catch (err) {
    t.fail(err instanceof Error ? err.message : String(err));
    return null;
  }
  t.teardown(() => launched.close());
  return launched;
}
