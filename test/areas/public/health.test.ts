import pg from 'pg';
import t from 'tap';
import type { Db } from '../../../src/db/connection.js';
import { createTestApp } from '../../helpers/app.js';
import { TEST_DATABASE_KIND } from '../../helpers/postgres.js';

const DATABASE_KIND = TEST_DATABASE_KIND === 'postgres' ? 'PostgreSQL' : 'SQLite';

t.test('/healthz without a browser: up, PDF unavailable', async (t) => {
  const testApp = await createTestApp(t, { browserPath: null });
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.equal(res.headers['cache-control'], 'no-store', 'never cached by a proxy');
  t.same(res.json(), { status: 'ok', database: 'ok', databaseKind: DATABASE_KIND, pdf: 'indisponible' });
  t.notOk(res.headers['set-cookie'], 'a probe does not create a session');
});

t.test('/healthz with a browser: PDF available', async (t) => {
  const testApp = await createTestApp(t, { browserPath: '/usr/bin/chromium' });
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok', database: 'ok', databaseKind: DATABASE_KIND, pdf: 'disponible' });
});

/**
 * Takes the app's database away as an outage would: SQLite's handle closed; on PostgreSQL the
 * database dropped on the server, its connections cut (the pool itself stays, as in production).
 */
async function loseDatabase(db: Db): Promise<void> {
  if (db.kind === 'sqlite') {
    db.sqlite.close();
    return;
  }
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database ${new URL(db.url).pathname.slice(1)} with (force)`);
  } finally {
    await admin.end();
  }
}

t.test('/healthz when the database is gone: 503', async (t) => {
  const testApp = await createTestApp(t);
  await loseDatabase(testApp.db);
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 503, 'a load balancer takes the instance out');
  t.match(res.json(), { status: 'erreur', database: 'indisponible', databaseKind: DATABASE_KIND });
});
