// The import boundaries of .dependency-cruiser.cjs and the folder-cycle check of
// scripts/folder-cycles.mjs, proved on planted violations: a small clean tree shaped like src/ is
// written under the system's temporary folder, one violating file is added to a copy of it per
// case, and the project's real config must name exactly the expected rule for that file, and
// nothing on the clean tree. The last test runs the same checks on the real src/ and migrations/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ICruiseResult, IViolation } from 'dependency-cruiser';
import t from 'tap';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const configFile = join(repoRoot, '.dependency-cruiser.cjs');

interface FolderCycle {
  folders: string[];
  edges: { from: string; to: string; typeOnly: boolean }[];
}
interface FolderCyclesScript {
  cruiseTree(dirs: string[], options?: { baseDir?: string; config?: string }): Promise<ICruiseResult>;
  folderCycles(result: ICruiseResult, roots: string[]): { units: number; cycles: FolderCycle[] };
}
// The lint script itself (plain .mjs, outside the type-checked tree): the test runs the same code.
const script = (await import(pathToFileURL(join(repoRoot, 'scripts/folder-cycles.mjs')).href)) as FolderCyclesScript;

type Files = Record<string, string>;

/** A tree shaped like src/ that respects every rule (and has composition roots: src/*.ts, index.ts, a facade). */
const CLEAN: Files = {
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', dependencies: { fastify: '*', kysely: '*' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
  'node_modules/fastify/package.json': JSON.stringify({ name: 'fastify', main: 'index.js' }),
  'node_modules/fastify/index.js': 'module.exports = function fastify() {};\n',
  'node_modules/kysely/package.json': JSON.stringify({ name: 'kysely', main: 'index.js' }),
  'node_modules/kysely/index.js': 'exports.Kysely = class Kysely {};\n',
  'test/helpers/app.ts': 'export const helper = 1;\n',
  'migrations/0001_foundation.ts': "import { Kysely } from 'kysely';\nexport const up = (db: Kysely) => db;\n",
  'src/clock.ts': 'export const now = () => new Date();\n',
  'src/config.ts': "import { dataDir } from './paths.js';\nexport const config = { dataDir };\n",
  'src/paths.ts': "export const dataDir = 'data';\n",
  'src/domain/rules.ts': "import { createHash } from 'node:crypto';\nexport const digest = (s: string) => createHash('sha256').update(s).digest('hex');\n",
  'src/domain/scoring.ts': "import { digest } from './rules.js';\nexport const score = (s: string) => digest(s).length;\n",
  // A facade beside its folder (like an index.ts) is its own unit: no folder cycle src/domain <-> src/domain/bank.
  'src/domain/bank.ts': "export { readBank } from './bank/reader.js';\n",
  'src/domain/bank/reader.ts': "import { score } from '../scoring.js';\nexport const readBank = () => score('bank');\n",
  'src/db/connection.ts':
    "import { Kysely } from 'kysely';\nimport type { digest } from '../domain/rules.js';\nexport const db = new Kysely();\nexport type Digest = typeof digest;\n",
  'src/services/audit.ts':
    "import { db } from '../db/connection.js';\nimport { now } from '../clock.js';\nimport { score } from '../domain/scoring.js';\nexport const audit = () => [db, now(), score('x')];\n",
  'src/services/accounts/links.ts':
    "import { audit } from '../audit.js';\nimport { config } from '../../config.js';\nexport const link = () => [audit(), config];\n",
  'src/plugins/auth.ts':
    "import type { FastifyInstance } from 'fastify';\nimport { link } from '../services/accounts/links.js';\nexport const auth = (app: FastifyInstance) => [app, link()];\n",
  'src/plugins/session.ts': "import { auth } from './auth.js';\nexport const session = auth;\n",
  'src/areas/public/index.ts': "import signIn from './sign-in/routes.js';\nimport help from './help/routes.js';\nexport default [signIn, help];\n",
  'src/areas/public/layout.ts': "export const layout = 'public';\n",
  'src/areas/public/sign-in/routes.ts':
    "import { signIn } from './lifecycle.js';\nimport { auth } from '../../../plugins/auth.js';\nimport { layout } from '../layout.js';\nexport default [signIn, auth, layout];\n",
  'src/areas/public/sign-in/lifecycle.ts': "import { findAccount } from './queries.js';\nexport const signIn = () => findAccount();\n",
  'src/areas/public/sign-in/queries.ts': "import { db } from '../../../db/connection.js';\nexport const findAccount = () => db;\n",
  'src/areas/public/help/routes.ts': "import { signIn } from '../sign-in/lifecycle.js';\nexport default [signIn];\n",
  'src/areas/centre/index.ts': "import tokens from './tokens/routes.js';\nexport default [tokens];\n",
  'src/areas/centre/tokens/routes.ts':
    "import { createBatch } from './lifecycle.js';\nimport { session } from '../../../plugins/session.js';\nexport default [createBatch, session];\n",
  'src/areas/centre/tokens/lifecycle.ts':
    "import { insertBatch } from './queries.js';\nimport { audit } from '../../../services/audit.js';\nexport const createBatch = () => [insertBatch(), audit()];\n",
  'src/areas/centre/tokens/queries.ts': "import { db } from '../../../db/connection.js';\nexport const insertBatch = () => db;\n",
  'src/operator/generate-tokens.ts':
    "import { createBatch } from '../areas/centre/tokens/lifecycle.js';\nimport { insertBatch } from '../areas/centre/tokens/queries.js';\nexport const run = () => [createBatch(), insertBatch()];\n",
  'src/app.ts':
    "import Fastify from 'fastify';\nimport publicArea from './areas/public/index.js';\nimport centreArea from './areas/centre/index.js';\nimport { session } from './plugins/session.js';\nexport const app = [Fastify, publicArea, centreArea, session];\n",
  'src/server.ts': "import { app } from './app.js';\nexport default app;\n",
  'src/cli.ts': "import { run } from './operator/generate-tokens.js';\nimport { app } from './app.js';\nexport default [run, app];\n",
};

interface Case {
  what: string;
  /** The planted files, added to (or replacing files of) the clean tree. */
  files: Files;
  /** The one rule they must break: every violation found names it and comes from a planted file. */
  rule: string;
}

const CASES: Case[] = [
  {
    what: 'domain importing db',
    files: { 'src/domain/planted.ts': "import { db } from '../db/connection.js';\nexport const x = db;\n" },
    rule: 'domain-is-pure',
  },
  {
    what: 'domain importing fastify',
    files: { 'src/domain/planted.ts': "import Fastify from 'fastify';\nexport const x = Fastify;\n" },
    rule: 'domain-is-pure',
  },
  {
    what: 'domain importing node:fs',
    files: { 'src/domain/planted.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n" },
    rule: 'domain-is-pure',
  },
  {
    what: 'domain importing config',
    files: { 'src/domain/planted.ts': "import type { config } from '../config.js';\nexport type X = typeof config;\n" },
    rule: 'domain-is-pure',
  },
  {
    what: 'db importing a service',
    files: { 'src/db/planted.ts': "import { audit } from '../services/audit.js';\nexport const x = audit;\n" },
    rule: 'db-layer',
  },
  { what: 'db importing fastify', files: { 'src/db/planted.ts': "import Fastify from 'fastify';\nexport const x = Fastify;\n" }, rule: 'db-layer' },
  {
    what: 'service importing an area',
    files: { 'src/services/planted.ts': "import { signIn } from '../areas/public/sign-in/lifecycle.js';\nexport const x = signIn;\n" },
    rule: 'services-layer',
  },
  {
    what: 'service importing a plugin',
    files: { 'src/services/planted.ts': "import { auth } from '../plugins/auth.js';\nexport const x = auth;\n" },
    rule: 'services-layer',
  },
  {
    what: 'plugin importing an area',
    files: { 'src/plugins/planted.ts': "import { signIn } from '../areas/public/sign-in/lifecycle.js';\nexport const x = signIn;\n" },
    rule: 'plugins-layer',
  },
  {
    what: 'plugin importing an operator command',
    files: { 'src/plugins/planted.ts': "import { run } from '../operator/generate-tokens.js';\nexport const x = run;\n" },
    rule: 'plugins-layer',
  },
  {
    what: 'area importing another area',
    files: { 'src/areas/centre/tokens/planted.ts': "import { signIn } from '../../public/sign-in/lifecycle.js';\nexport const x = signIn;\n" },
    rule: 'area-not-to-other-area',
  },
  {
    what: 'area importing an operator command',
    files: { 'src/areas/centre/tokens/planted.ts': "import { run } from '../../../operator/generate-tokens.js';\nexport const x = run;\n" },
    rule: 'areas-layer',
  },
  {
    what: "feature importing another feature's routes.ts",
    files: { 'src/areas/public/help/planted.ts': "import signIn from '../sign-in/routes.js';\nexport const x = signIn;\n" },
    rule: 'feature-routes-private',
  },
  {
    what: "area file other than index.ts importing a feature's routes.ts",
    files: { 'src/areas/public/planted.ts': "import help from './help/routes.js';\nexport const x = help;\n" },
    rule: 'feature-routes-private',
  },
  {
    what: 'operator importing a routes.ts',
    files: { 'src/operator/planted.ts': "import tokens from '../areas/centre/tokens/routes.js';\nexport const x = tokens;\n" },
    rule: 'operator-layer',
  },
  {
    what: 'operator importing a plugin',
    files: { 'src/operator/planted.ts': "import { session } from '../plugins/session.js';\nexport const x = session;\n" },
    rule: 'operator-layer',
  },
  {
    what: 'a migration importing application code',
    files: { 'migrations/0002_planted.ts': "import { score } from '../src/domain/scoring.js';\nexport const up = score;\n" },
    rule: 'migrations-standalone',
  },
  {
    what: 'app.ts importing an operator command',
    files: { 'src/app.ts': "import { run } from './operator/generate-tokens.js';\nexport const app = [run];\n" },
    rule: 'app-not-to-operator',
  },
  {
    what: 'src importing test code',
    files: { 'src/services/planted.ts': "import { helper } from '../../test/helpers/app.js';\nexport const x = helper;\n" },
    rule: 'no-src-to-tests',
  },
  {
    what: 'domain importing test code',
    files: { 'src/domain/planted.ts': "import { helper } from '../../test/helpers/app.js';\nexport const x = helper;\n" },
    rule: 'no-src-to-tests',
  },
  {
    what: 'an import that resolves to nothing',
    files: { 'src/services/planted.ts': "import { gone } from './gone.js';\nexport const x = gone;\n" },
    rule: 'not-to-unresolvable',
  },
  {
    what: 'a two-file cycle',
    files: {
      'src/services/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
      'src/services/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
    },
    rule: 'no-circular',
  },
];

function writeTree(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'qcm-aipr-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const show = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

async function check(
  t: { teardown(fn: () => unknown): void },
  files: Files,
  roots = ['src', 'migrations'],
): Promise<{ violations: IViolation[]; cycles: FolderCycle[] }> {
  const root = writeTree(files);
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const result = await script.cruiseTree(roots, { baseDir: root, config: configFile });
  return { violations: result.summary.violations, cycles: script.folderCycles(result, roots).cycles };
}

t.test('the clean fixture breaks no rule and has no folder cycle', async (t) => {
  const { violations, cycles } = await check(t, CLEAN);
  t.same(violations.map(show), [], 'no dependency-cruiser violation');
  t.same(cycles, [], 'no folder cycle');
});

t.test('each planted violation is named by its rule', async (t) => {
  for (const c of CASES) {
    const { violations } = await check(t, { ...CLEAN, ...c.files });
    const found = violations.map((v) => ({ rule: v.rule.name, planted: v.from in c.files }));
    t.ok(found.length > 0, `${c.what}: found`);
    t.same(
      found,
      found.map(() => ({ rule: c.rule, planted: true })),
      `${c.what}: ${c.rule} and nothing else`,
      { found: violations.map(show) },
    );
  }
});

t.test('every rule of the config has a planted violation', async (t) => {
  const config = createRequire(import.meta.url)(configFile) as { forbidden: { name: string }[] };
  const planted = new Set(CASES.map((c) => c.rule));
  t.same(
    config.forbidden.map((r) => r.name).filter((name) => !planted.has(name)),
    [],
    'rules without a case in CASES',
  );
});

t.test('a folder cycle is found, with the imports that make it', async (t) => {
  const { violations, cycles } = await check(t, {
    ...CLEAN,
    'src/services/mail/send.ts': "import { render } from '../pdf/render.js';\nexport const send = () => render;\n",
    'src/services/pdf/render.ts': "export const render = () => 'pdf';\n",
    'src/services/pdf/attach.ts': "import { template } from '../mail/template.js';\nexport const attach = () => template;\n",
    'src/services/mail/template.ts': "export const template = 'mail';\n",
  });
  t.same(violations.map(show), [], 'no module cycle: dependency-cruiser alone does not see it');
  t.same(cycles, [
    {
      folders: ['src/services/mail', 'src/services/pdf'],
      edges: [
        { from: 'src/services/mail/send.ts', to: 'src/services/pdf/render.ts', typeOnly: false },
        { from: 'src/services/pdf/attach.ts', to: 'src/services/mail/template.ts', typeOnly: false },
      ],
    },
  ]);
});

t.test('a folder cycle through a parent folder is found; composition roots (index.ts, src/*.ts) are not folders', async (t) => {
  const { cycles } = await check(t, {
    ...CLEAN,
    'src/areas/public/layout.ts': "import { signIn } from './sign-in/lifecycle.js';\nexport const layout = signIn;\n",
  });
  t.same(
    cycles.map((c) => c.folders),
    [['src/areas/public', 'src/areas/public/sign-in']],
  );
});

t.test('the real tree (src, migrations) breaks no boundary and has no folder cycle', async (t) => {
  const roots = ['src', 'migrations'];
  const result = await script.cruiseTree(roots, { baseDir: repoRoot, config: configFile });
  const problems = [
    ...result.summary.violations.map(show),
    ...script
      .folderCycles(result, roots)
      .cycles.map((c) => `folder cycle: ${c.folders.join(' <-> ')} via ${c.edges.map((e) => `${e.from} → ${e.to}`).join(', ')}`),
  ];
  if (problems.length) t.comment(`boundary problems in the real tree:\n${problems.join('\n')}`);
  t.same(problems, [], `the real tree: ${problems.length} problem(s)\n${problems.join('\n')}`);
});
