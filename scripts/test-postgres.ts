// `npm run test:postgres [tap arguments]`: the test suite on PostgreSQL. Uses TEST_DATABASE_URL when
// set (a server of the developer's; each test makes and drops databases of its own on it), else
// starts a throw-away cluster from Debian's postgresql for the run and stops it afterwards.
import { spawn } from 'node:child_process';
import { MISSING_POSTGRES, startCluster } from '../test/helpers/postgres.js';

const given = process.env.TEST_DATABASE_URL;
const cluster = given ? null : await startCluster();
if (!given && !cluster) {
  console.error(MISSING_POSTGRES);
  process.exit(1);
}
const url = given ?? cluster!.url;
const tap = spawn('npx', ['tap', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TEST_DATABASE_URL: url },
});
const code = await new Promise<number>((resolve) => tap.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
await cluster?.stop();
process.exit(code);
