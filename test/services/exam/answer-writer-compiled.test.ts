import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { openDatabaseFile } from '../../../src/db/connection.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { seedDemo } from '../../../src/operator/seed-demo.js';
import { startExam } from '../../../src/services/exam/lifecycle.js';
import { findOpenSessions } from '../../../src/services/exam/sessions.js';
import { ROOT_DIR } from '../../../src/paths.js';

/**
 * The SQLite answer writer as production runs it: compiled by `npm run build`'s configuration and
 * loaded by plain Node, which starts the writer's thread from its compiled file (the other tests run
 * the sources through tsx, where the thread is started another way).
 */

const run = promisify(execFile);

t.test('compiled, the answer writer starts its thread and an acknowledged save is committed', async (t) => {
  // Inside node_modules: the compiled files find the packages, and no linter or test run sees them.
  const out = mkdtempSync(join(ROOT_DIR, 'node_modules', '.qcm-aipr-build-'));
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-compiled-'));
  t.teardown(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  await run(process.execPath, [join(ROOT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT_DIR, 'tsconfig.build.json'), '--outDir', out]);

  const file = join(dir, 'answers.sqlite');
  const db = openDatabaseFile(file);
  const clock = new ManualClock('2026-11-29T09:00:00.000Z');
  await migrateToLatest(db.kysely);
  await seedDemo(db.kysely, clock, 'mot-de-passe-des-tests');
  const [session] = await findOpenSessions(db.kysely, 1, clock.now());
  const token = await db.kysely.selectFrom('exam_tokens').select('id').where('status', '=', 'available').orderBy('id').executeTakeFirstOrThrow();
  const started = await startExam(db.kysely, clock, {
    centreId: 1,
    tokenId: token.id,
    examSessionId: session!.id,
    identity: { lastName: 'Martin', firstName: 'Léa', birthDate: '1990-04-12', company: null, companyAddress: null },
  });
  if (!started.ok) throw new Error(started.message);
  await db.close();

  const script = `
    const { openDatabaseFile } = await import(${JSON.stringify(join(out, 'src', 'db', 'connection.js'))});
    const { createAnswerWriter } = await import(${JSON.stringify(join(out, 'src', 'services', 'exam', 'answer-writer.js'))});
    const { ManualClock } = await import(${JSON.stringify(join(out, 'src', 'clock.js'))});
    const db = openDatabaseFile(${JSON.stringify(file)});
    const writer = createAnswerWriter(db, new ManualClock('2026-11-29T09:05:00.000Z'));
    const outcome = await writer.save(${started.examId}, { position: 1, choice: { kind: 'answer', index: 2 }, flagged: false, seq: 1, generation: 0 });
    await db.close();
    console.log(outcome);`;
  // A file, not --eval: the thread inherits the process's options, and --input-type is refused for a file.
  writeFileSync(join(dir, 'save.mjs'), script);
  const { stdout } = await run(process.execPath, [join(dir, 'save.mjs')], { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
  t.equal(stdout.trim(), 'saved', 'acknowledged, and the process ended with its database');

  const reader = openDatabaseFile(file);
  t.teardown(() => reader.close());
  const row = await reader.kysely
    .selectFrom('exam_questions')
    .select(['chosen_answer_id', 'response_seq'])
    .where('exam_id', '=', started.examId)
    .where('position', '=', 1)
    .executeTakeFirstOrThrow();
  t.equal(row.response_seq, 1, 'committed');
  t.not(row.chosen_answer_id, null);
});
