import t from 'tap';
import { createTestApp } from '../../helpers/app.js';

t.test('/healthz without a browser: up, PDF unavailable', async (t) => {
  const testApp = await createTestApp(t, { browserPath: null });
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.equal(res.headers['cache-control'], 'no-store', 'never cached by a proxy');
  t.same(res.json(), { status: 'ok', database: 'ok', pdf: 'indisponible' });
  t.notOk(res.headers['set-cookie'], 'a probe does not create a session');
});

t.test('/healthz with a browser: PDF available', async (t) => {
  const testApp = await createTestApp(t, { browserPath: '/usr/bin/chromium' });
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok', database: 'ok', pdf: 'disponible' });
});

t.test('/healthz when the database is gone: 503', async (t) => {
  const testApp = await createTestApp(t);
  testApp.db.sqlite.close();
  const res = await testApp.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 503, 'a load balancer takes the instance out');
  t.match(res.json(), { status: 'erreur', database: 'indisponible' });
});
