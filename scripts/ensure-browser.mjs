// Runs before `npm test`: the end-to-end tests need Chromium, and the PDF tests read the attestations
// back with poppler (pdftotext, pdfinfo, pdftoppm, pdfimages) and zbar (zbarimg, for the QR code); the
// PostgreSQL tests start a throw-away server from Debian's postgresql (or use TEST_DATABASE_URL), and
// the tests of several instances put Debian's nginx in front of them.
// What is missing is installed from Debian's packages if we are root on a machine with apt;
// otherwise the script stops with one line saying what to install.
import { accessSync, constants, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const usable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const browsers = [
  process.env.PUPPETEER_EXECUTABLE_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
].filter(Boolean);

const needs = [
  { package: 'chromium', present: () => browsers.some(usable) },
  { package: 'poppler-utils', present: () => ['pdftotext', 'pdfinfo', 'pdftoppm', 'pdfimages'].every((tool) => usable(`/usr/bin/${tool}`)) },
  { package: 'zbar-tools', present: () => usable('/usr/bin/zbarimg') },
  {
    package: 'postgresql',
    present: () => Boolean(process.env.TEST_DATABASE_URL) || postgresVersions().some((v) => usable(`/usr/lib/postgresql/${v}/bin/initdb`)),
  },
  { package: 'nginx', present: () => usable('/usr/sbin/nginx') },
];

function postgresVersions() {
  try {
    return readdirSync('/usr/lib/postgresql');
  } catch {
    return [];
  }
}

const missing = needs.filter((need) => !need.present()).map((need) => need.package);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && usable('/usr/bin/apt-get')) {
  console.log(`Paquets Debian absents : installation de ${missing.join(', ')}…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (needs.every((need) => need.present())) process.exit(0);
}
console.error(
  `Les tests ont besoin des paquets Debian ${missing.join(', ')} (apt-get install ${missing.join(' ')}) ; Chromium peut aussi être indiqué par PUPPETEER_EXECUTABLE_PATH.`,
);
process.exit(1);
