import type { FastifyRequest } from 'fastify';
import t from 'tap';
import { logRequest } from '../src/app.js';

const request = (url: string) => ({ method: 'GET', url, ip: '192.0.2.1' }) as FastifyRequest;

t.test('the log never keeps the secret of a password link', async (t) => {
  t.same(logRequest(request('/compte/mot-de-passe/s3cr3t-L1nk_abc')), { method: 'GET', url: '/compte/mot-de-passe/…', remoteAddress: '192.0.2.1' });
  t.equal(logRequest(request('/compte/mot-de-passe/s3cr3t?x=1')).url, '/compte/mot-de-passe/…?x=1');
  t.equal(logRequest(request('/centre/jetons?page=2')).url, '/centre/jetons?page=2', 'other addresses are kept as they are');
});
