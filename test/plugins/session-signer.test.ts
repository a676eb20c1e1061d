import { Signer } from '@fastify/cookie';
import t from 'tap';
import { SessionCookieSigner } from '../../src/plugins/session-signer.js';

const SECRET = 'un secret de session de plus de trente-deux caractères';

t.test('signs as @fastify/cookie does: cookies signed before stay valid, and the other way round', async (t) => {
  const ours = new SessionCookieSigner(SECRET);
  const theirs = new Signer(SECRET, 'sha256');
  for (const id of ['a', 'xY_-09', 'un identifiant de session', 'é'.repeat(40)]) {
    t.equal(ours.sign(id), theirs.sign(id), `the same signature for ${JSON.stringify(id)}`);
    t.same(ours.unsign(theirs.sign(id)), { valid: true, renew: false, value: id });
  }
});

t.test('a cookie altered in any way, or signed with another secret, is refused, remembered or not', async (t) => {
  const signer = new SessionCookieSigner(SECRET);
  const cookie = signer.sign('session-1');
  t.same(signer.unsign(cookie), { valid: true, renew: false, value: 'session-1' }, 'its own cookie is valid');
  const refused = { valid: false, renew: false, value: null };
  t.same(signer.unsign(cookie.replace('session-1', 'session-2')), refused, 'another id under the first one’s signature');
  t.same(signer.unsign(`${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`), refused, 'one character of the signature changed');
  t.same(signer.unsign(`${cookie}A`), refused, 'a longer signature');
  t.same(signer.unsign('session-1'), refused, 'no signature');
  t.same(signer.unsign('session-1.'), refused, 'an empty signature');
  t.same(signer.unsign(new SessionCookieSigner(`${SECRET}!`).sign('session-1')), refused, 'another secret');
});

t.test('past thousands of sessions, the earliest ones still sign and verify the same', async (t) => {
  const signer = new SessionCookieSigner(SECRET);
  const reference = new Signer(SECRET, 'sha256');
  const first = signer.sign('premier');
  for (let i = 0; i < 10_000; i++) signer.sign(`session-${i}`);
  t.equal(signer.sign('premier'), first);
  t.equal(first, reference.sign('premier'));
  t.same(signer.unsign(first), { valid: true, renew: false, value: 'premier' });
});
