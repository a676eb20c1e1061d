// eslint.config.js forbids focused and skipped tests (t.only, describe.only, t.skip, { skip }, { only }):
// planted in a test file's text, each is reported; an ordinary test is not.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import t from 'tap';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The planted text is no file of the TypeScript project: lint it without the type-aware rules.
process.env.ESLINT_TYPED = '0';
const eslint = new ESLint({ cwd: repoRoot });

async function restricted(code: string): Promise<number[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, 'test/architecture/planted.test.ts') });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line);
}

t.test('focused and skipped tests are lint errors', async (t) => {
  // Spelled through variables, so that the project's own search for focused tests (a plain grep
  // over test/) does not take these planted lines for real ones.
  const [ONLY, SKIP] = ['only', 'skip'];
  const planted = [
    `t.${ONLY}('a', async () => {});`,
    `t.${SKIP}('b', async () => {});`,
    `t.test('c', { ${SKIP}: 'later' }, async () => {});`,
    `t.test('d', { ${ONLY}: true }, async () => {});`,
    `describe.${ONLY}('e', () => {});`,
    `it.${SKIP}('f', () => {});`,
    `test('g', { ${SKIP}: true }, () => {});`,
  ];
  const code = `import t from 'tap';\n${planted.join('\n')}\n`;
  t.same(
    await restricted(code),
    planted.map((_, i) => i + 2),
    'one error on each line',
  );
  t.same(await restricted("import { only } from 'tap';\nonly('h', () => {});\n"), [1], "importing tap's only");
});

t.test('ordinary tests are not', async (t) => {
  const code = "import t from 'tap';\nt.test('a', { timeout: 10 }, async (t) => {\n  await t.test('b', async () => {});\n  t.ok(true);\n});\n";
  t.same(await restricted(code), []);
});
