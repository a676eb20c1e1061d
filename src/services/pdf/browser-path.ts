import { accessSync, constants } from 'node:fs';

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function puppeteerCachedBrowser(): Promise<string | null> {
  try {
    const { default: puppeteer } = await import('puppeteer');
    const path = puppeteer.executablePath();
    return path && isExecutable(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * The browser used for PDFs and end-to-end tests: PUPPETEER_EXECUTABLE_PATH when set (and nothing
 * else, so that a wrong setting is noticed), then Puppeteer's own cache, then the usual system paths.
 */
export async function findBrowser(configured: string | null): Promise<string | null> {
  if (configured) return isExecutable(configured) ? configured : null;
  return (await puppeteerCachedBrowser()) ?? SYSTEM_PATHS.find(isExecutable) ?? null;
}

/** Flags for Chromium here: no GPU, /tmp rather than a small /dev/shm, and never try to reach the outside. */
const COMMON_ARGS = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
];

/**
 * Chromium's sandbox stays on, but for root, with whom Chromium refuses to start sandboxed (a CI
 * machine, a root container): `--no-sandbox` only then. `uid` is process.getuid(), undefined where
 * the platform has none (Windows).
 */
export function needsNoSandbox(uid: number | undefined): boolean {
  return uid === 0;
}

/**
 * The flags for a Chromium launched by a process of user id `uid` (the PDF pool, the end-to-end
 * tests: `process.getuid?.()`); `sandbox: false` when a sandboxed launch already failed (browser-pool.ts).
 */
export function chromiumArgs(uid: number | undefined, { sandbox = true }: { sandbox?: boolean } = {}): string[] {
  return [...(needsNoSandbox(uid) || !sandbox ? ['--no-sandbox'] : []), ...COMMON_ARGS];
}
