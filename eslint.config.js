// ESLint flat config (ESLint 9 + typescript-eslint). Formatting is Prettier's job, import boundaries
// dependency-cruiser's (.dependency-cruiser.cjs); this catches mistakes in the code itself.
// TypeScript files get the type-checked recommended rules (no-floating-promises above all: an
// un-awaited reply or transaction is a bug here). ESLINT_TYPED=0 skips the type-aware rules for a
// quick local run; `npm run lint` and CI always run them.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TYPED = process.env.ESLINT_TYPED !== '0';
const TS = ['**/*.ts'];
const TESTS = ['test/**/*.ts'];

const unusedVars = [
  'error',
  { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
];

/** Calls such as t.only(…), test.skip(…), describe.only(…). */
const focusOrSkipCall = (name) => `CallExpression[callee.type='MemberExpression'][callee.property.name='${name}']`;

export default defineConfig(
  // public/ holds the browser scripts (ES5, no build): outside this config's scope.
  globalIgnores(['dist/', 'node_modules/', 'data/', 'coverage/', '.tap/', 'views/', 'demo/', 'public/']),

  js.configs.recommended,
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: TS })),
  ...(TYPED ? tseslint.configs.recommendedTypeCheckedOnly.map((config) => ({ ...config, files: TS })) : []),

  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      'no-unused-vars': unusedVars,
      // Input checks here match control characters on purpose (paths, names, CSV cells).
      'no-control-regex': 'off',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },

  {
    files: TS,
    languageOptions: TYPED ? { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } : {},
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
      ...(TYPED
        ? {
            // Fastify plugins and route files are async functions by convention, awaiting or not.
            '@typescript-eslint/require-await': 'off',
            // tap's t.test() returns a promise the runner already awaits.
            '@typescript-eslint/no-floating-promises': [
              'error',
              { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] },
            ],
          }
        : {}),
    },
  },

  {
    files: [...TESTS, 'bench/**/*.ts'],
    rules: TYPED
      ? {
          // Tests and benchmarks read untyped data on purpose (JSON bodies, values back from the browser
          // page, rows of ad-hoc SQL) and check it with assertions; typing each read adds nothing.
          '@typescript-eslint/no-unsafe-argument': 'off',
          '@typescript-eslint/no-unsafe-assignment': 'off',
          '@typescript-eslint/no-unsafe-member-access': 'off',
          '@typescript-eslint/no-unsafe-return': 'off',
          '@typescript-eslint/no-unsafe-call': 'off',
          // Puppeteer's page methods and tap's assertions are passed around unbound by design.
          '@typescript-eslint/unbound-method': 'off',
        }
      : {},
  },

  {
    files: TESTS,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: focusOrSkipCall('only'), message: '.only() runs this test alone and silently drops the others: remove it.' },
        { selector: focusOrSkipCall('skip'), message: 'A skipped test is a test that no longer runs: fix it or delete it.' },
        {
          selector: `CallExpression[callee.property.name=/^(test|only|skip|todo)$/] > ObjectExpression > Property[key.name=/^(only|skip)$/]`,
          message: 'A test with { only } or { skip } does not run with the others: remove the option.',
        },
        {
          selector: `CallExpression[callee.name=/^(test|describe|it)$/] > ObjectExpression > Property[key.name=/^(only|skip)$/]`,
          message: 'A test with { only } or { skip } does not run with the others: remove the option.',
        },
        {
          selector: `ImportDeclaration[source.value='tap'] > ImportSpecifier[imported.name=/^(only|skip)$/]`,
          message: "tap's only/skip leave tests unrun: use test().",
        },
      ],
    },
  },
);
