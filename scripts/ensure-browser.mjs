// Runs before `npm test`: the end-to-end tests need Chromium. When none is found, install Debian's
// package if we are root on a machine with apt; otherwise stop with one line saying what to install.
import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';

const candidates = [
  process.env.PUPPETEER_EXECUTABLE_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
].filter(Boolean);

const usable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

if (candidates.some(usable)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = usable('/usr/bin/apt-get');
if (isRoot && hasApt) {
  console.log('Chromium absent : installation du paquet Debian « chromium »…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (usable('/usr/bin/chromium')) process.exit(0);
}
console.error(
  'Les tests ont besoin de Chromium : installez le paquet « chromium » (apt-get install chromium) ou indiquez son chemin dans PUPPETEER_EXECUTABLE_PATH.',
);
process.exit(1);
