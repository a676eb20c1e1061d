import t from 'tap';
import {
  assessTerminal,
  describeDuration,
  MAX_ASSETS_LOAD_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_ROUND_TRIP_MS,
  MIN_WINDOW,
  PAGE_BUDGET_BYTES,
  type TerminalMeasures,
} from '../../src/domain/terminal-check.js';

const GOOD: NonNullable<TerminalMeasures['script']> = {
  window: { width: 1024, height: 600 },
  clockSkewMs: 1_200,
  roundTripMs: 12,
  assetsLoadMs: 180,
  assetsBytes: 24_000,
};

const statusOf = (m: TerminalMeasures) => Object.fromEntries(assessTerminal(m).checks.map((c) => [c.key, c.status]));

t.test('a terminal within every limit is ready', async (t) => {
  const verdict = assessTerminal({ cookies: true, script: GOOD });
  t.ok(verdict.ready);
  t.same(statusOf({ cookies: true, script: GOOD }), { cookies: 'ok', javascript: 'ok', ecran: 'ok', horloge: 'ok', reseau: 'ok', poids: 'ok' });
  t.match(verdict.checks.find((c) => c.key === 'ecran')!.found, /^1\s024 × 600 pixels$/);
  t.match(verdict.checks.find((c) => c.key === 'poids')!.found, /^24 Ko en 0,2 s$/);
});

t.test('each limit, just within and just past', async (t) => {
  const cases: [string, Partial<typeof GOOD>, Partial<typeof GOOD>, string][] = [
    ['ecran', { window: { width: MIN_WINDOW.width, height: MIN_WINDOW.height } }, { window: { width: MIN_WINDOW.width - 1, height: 900 } }, 'width'],
    ['ecran', { window: { width: 1280, height: MIN_WINDOW.height } }, { window: { width: 1280, height: MIN_WINDOW.height - 1 } }, 'height'],
    ['horloge', { clockSkewMs: MAX_CLOCK_SKEW_MS }, { clockSkewMs: MAX_CLOCK_SKEW_MS + 1 }, 'ahead'],
    ['horloge', { clockSkewMs: -MAX_CLOCK_SKEW_MS }, { clockSkewMs: -MAX_CLOCK_SKEW_MS - 1 }, 'behind'],
    ['reseau', { roundTripMs: MAX_ROUND_TRIP_MS }, { roundTripMs: MAX_ROUND_TRIP_MS + 1 }, 'round trip'],
    ['poids', { assetsLoadMs: MAX_ASSETS_LOAD_MS }, { assetsLoadMs: MAX_ASSETS_LOAD_MS + 1 }, 'assets load time'],
    ['poids', { assetsBytes: PAGE_BUDGET_BYTES }, { assetsBytes: PAGE_BUDGET_BYTES + 1 }, 'assets weight'],
  ];
  for (const [key, within, past, what] of cases) {
    t.equal(statusOf({ cookies: true, script: { ...GOOD, ...within } })[key], 'ok', `${what}: at the limit, correct`);
    const verdict = assessTerminal({ cookies: true, script: { ...GOOD, ...past } });
    t.equal(statusOf({ cookies: true, script: { ...GOOD, ...past } })[key], 'a-corriger', `${what}: past it, to fix`);
    t.notOk(verdict.ready, `${what}: past it, the terminal is not ready`);
    t.ok(verdict.checks.find((c) => c.key === key)!.advice, `${what}: with what to do`);
  }
});

t.test('the clock says which way and by how much', async (t) => {
  const ahead = assessTerminal({ cookies: true, script: { ...GOOD, clockSkewMs: 10 * 60_000 + 4_000 } }).checks.find((c) => c.key === 'horloge')!;
  t.equal(ahead.found, 'l’horloge du poste avance de 10 min 04 s sur celle du serveur');
  const behind = assessTerminal({ cookies: true, script: { ...GOOD, clockSkewMs: -3 * 3600_000 } }).checks.find((c) => c.key === 'horloge')!;
  t.equal(behind.found, 'l’horloge du poste retarde de 3 h 00 min sur celle du serveur');
});

t.test('cookies refused: not ready, with or without JavaScript', async (t) => {
  t.notOk(assessTerminal({ cookies: false, script: GOOD }).ready);
  t.notOk(assessTerminal({ cookies: false, script: null }).ready);
  t.equal(statusOf({ cookies: false, script: null }).cookies, 'a-corriger');
});

t.test('without JavaScript: ready on cookies alone, and it says what could not be measured', async (t) => {
  const verdict = assessTerminal({ cookies: true, script: null });
  t.ok(verdict.ready);
  t.same(
    verdict.checks.map((c) => [c.key, c.status]),
    [
      ['cookies', 'ok'],
      ['javascript', 'information'],
    ],
  );
  t.match(verdict.checks[1]!.advice, /L’examen fonctionne sans JavaScript.*n’ont pas pu être mesurés/);
});

t.test('durations in French', async (t) => {
  t.equal(describeDuration(800), '0,8 s');
  t.equal(describeDuration(-45_000), '45 s');
  t.equal(describeDuration(125_000), '2 min 05 s');
  t.equal(describeDuration(3 * 3600_000 + 60_000), '3 h 01 min');
});

t.test('style sheet and scripts heavier than the page budget: the compression does not reach the terminal', async (t) => {
  const check = assessTerminal({ cookies: true, script: { ...GOOD, assetsBytes: 80_000 } }).checks.find((c) => c.key === 'poids')!;
  t.equal(check.found, '79 Ko en 0,2 s (attendu : 30 Ko au plus)');
  t.match(check.advice, 'sans compression');
});

t.test('a browser that does not tell the weight: the load time alone is judged', async (t) => {
  const check = assessTerminal({ cookies: true, script: { ...GOOD, assetsBytes: null } }).checks.find((c) => c.key === 'poids')!;
  t.equal(check.status, 'ok');
  t.equal(check.found, 'en 0,2 s (poids non indiqué par ce navigateur)');
  t.equal(statusOf({ cookies: true, script: { ...GOOD, assetsBytes: null, assetsLoadMs: MAX_ASSETS_LOAD_MS + 1 } }).poids, 'a-corriger');
});

t.test('a script too old to measure: ready on cookies, and it says the browser could not measure, not that JavaScript is off', async (t) => {
  const verdict = assessTerminal({ cookies: true, script: 'limited' });
  t.ok(verdict.ready);
  t.same(
    verdict.checks.map((c) => [c.key, c.status, c.found]),
    [
      ['cookies', 'ok', 'acceptés'],
      ['javascript', 'information', 'activé, dans un navigateur trop ancien pour les mesures'],
    ],
  );
});
