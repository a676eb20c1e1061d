import t from 'tap';
import { chromiumArgs, needsNoSandbox } from '../../../src/services/pdf/browser-path.js';

t.test('Chromium keeps its sandbox unless the process runs as root', async (t) => {
  t.equal(needsNoSandbox(0), true, 'root: Chromium refuses to start sandboxed');
  for (const uid of [1, 999, 1000, 65534]) t.equal(needsNoSandbox(uid), false, `uid ${uid}: the sandbox stays on`);
  t.equal(needsNoSandbox(undefined), false, 'no user id (Windows): the sandbox stays on');

  t.equal(chromiumArgs(0)[0], '--no-sandbox');
  t.notOk(chromiumArgs(1000).includes('--no-sandbox'), 'the Docker image’s user (qcm) gets no --no-sandbox');
  t.notOk(chromiumArgs(undefined).includes('--no-sandbox'));
  t.same(
    chromiumArgs(1000),
    chromiumArgs(0).filter((a) => a !== '--no-sandbox'),
    'the other flags are the same for everyone',
  );
  t.ok(chromiumArgs(1000).includes('--disable-background-networking'), 'never reaching the outside');
});
