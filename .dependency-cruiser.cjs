// Import boundaries of src/ (and migrations/), checked by `npm run lint` through dependency-cruiser.
// Layers, from the bottom: domain (pure rules) < db < services < plugins < areas (public, kiosk,
// centre, admin) < app.ts; operator/ (CLI commands) sits beside the areas and reuses their
// lifecycle/queries files. clock.ts, config.ts, paths.ts and data-files.ts are shared leaves any
// layer but the domain may use. test/architecture/boundaries.test.ts plants one violation of each rule.
// Folder cycles are checked by scripts/folder-cycles.mjs (dependency-cruiser only sees module cycles).

/** Top-level leaves every layer above the domain may import. */
const SHARED_LEAVES = '^src/(clock|config|paths|data-files)\\.ts$';
/** Test and bench code: an import of them from src/ is reported by no-src-to-tests alone. */
const TESTS = '^(test|bench)/';
/** Node built-ins a pure rule may need (hashing, random numbers, deep equality, buffers). */
const PURE_CORE = '^(node:)?(crypto|util|buffer|assert|assert/strict|string_decoder)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain holds pure rules: it may import only src/domain/**, the pure Node built-ins (node:crypto…) and csv-parse ' +
        '(a pure parser of text the bank reader is given). ' +
        'No database, service, plugin, area, operator, Fastify, Kysely, SQLite, Puppeteer, argon2, nodemailer, file system, network…',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', PURE_CORE, '^node_modules/csv-parse/', TESTS] },
    },
    {
      name: 'db-layer',
      comment: 'src/db may import itself, the domain (types), migrations/, Node built-ins and kysely / better-sqlite3 / pg.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^src/db/', '^src/domain/', '^migrations/', '^node_modules/(kysely|better-sqlite3|pg|@types/(better-sqlite3|pg))/', TESTS],
      },
    },
    {
      name: 'services-layer',
      comment:
        'src/services may import other services, the domain, db and clock/config/paths (and npm packages); ' +
        'never an area, a plugin, the operator commands or app.ts.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { dependencyTypes: ['local'], pathNot: ['^src/(services|domain|db)/', SHARED_LEAVES, TESTS] },
    },
    {
      name: 'plugins-layer',
      comment:
        'src/plugins (cross-cutting Fastify plugins) may import other plugins, services, the domain, db and clock/config/paths; ' +
        'never an area, the operator commands or app.ts.',
      severity: 'error',
      from: { path: '^src/plugins/' },
      to: { dependencyTypes: ['local'], pathNot: ['^src/(plugins|services|domain|db)/', SHARED_LEAVES, TESTS] },
    },
    {
      name: 'area-not-to-other-area',
      comment: 'An area (public, kiosk, centre, admin) never imports another area: share through src/services or src/domain.',
      severity: 'error',
      from: { path: '^src/areas/([^/]+)/' },
      to: { path: '^src/areas/', pathNot: '^src/areas/$1/' },
    },
    {
      name: 'areas-layer',
      comment: 'An area may import services, plugins, the domain, db, clock/config/paths and its own files; never the operator commands or app.ts.',
      severity: 'error',
      from: { path: '^src/areas/' },
      to: { dependencyTypes: ['local'], pathNot: ['^src/(areas|services|plugins|domain|db)/', SHARED_LEAVES, TESTS] },
    },
    {
      name: 'feature-routes-private',
      comment:
        "A feature's routes.ts (src/areas/<area>/<feature>/routes.ts) is imported only by its area's index.ts: " +
        'another feature, or any other file of the area, imports its lifecycle.ts / queries.ts instead.',
      severity: 'error',
      from: { path: '^src/areas/([^/]+)/', pathNot: '^src/areas/[^/]+/index\\.ts$' },
      to: { path: '^src/areas/$1/[^/]+/routes\\.ts$' },
    },
    {
      name: 'operator-layer',
      comment:
        "src/operator (CLI commands) may import services, the domain, db, clock/config/paths and the areas' lifecycle.ts / queries.ts; " +
        'never a routes.ts, a plugin or app.ts.',
      severity: 'error',
      from: { path: '^src/operator/' },
      to: {
        dependencyTypes: ['local'],
        pathNot: ['^src/(operator|services|domain|db)/', SHARED_LEAVES, '^src/areas/.+/(lifecycle|queries)\\.ts$', TESTS],
      },
    },
    {
      name: 'app-not-to-operator',
      comment: 'app.ts composes the web application; the operator commands belong to cli.ts.',
      severity: 'error',
      from: { path: '^src/app\\.ts$' },
      to: { path: '^src/operator/' },
    },
    {
      name: 'migrations-standalone',
      comment: 'A migration is frozen once shipped: it imports only other migrations, Kysely and Node built-ins, never application code that will change.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { dependencyTypes: ['local'], pathNot: ['^migrations/', TESTS] },
    },
    {
      name: 'no-src-to-tests',
      comment: 'Production code never imports test/ or bench/.',
      severity: 'error',
      from: { path: '^(src|migrations)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'This import is part of a cycle (type-only imports included): break it by moving the shared part down a layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'This import resolves to no file or installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type import across a boundary is still coupling.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
