/**
 * The cap on argon2 computations (issue 11, medium item 6): at most two run at once, a few dozen
 * wait, the next ones are refused at once with a French 503 instead of filling the thread pool.
 */
import t from 'tap';
import { hashPassword, PasswordCheckBusy, passwordWork, verifyPassword } from '../../src/services/accounts/passwords.js';

t.test('two hashes at a time, 32 waiting, the next refused; all the queued ones complete', async (t) => {
  const queued = Array.from({ length: 34 }, (_, i) => hashPassword(`mot de passe ${i}`));
  t.same(passwordWork(), { running: 2, waiting: 32 }, 'two run, the others wait');
  const refused = hashPassword('un de trop');
  const error = await refused.then(
    () => null,
    (err: unknown) => err,
  );
  t.ok(error instanceof PasswordCheckBusy, 'the next one is refused at once');
  await t.rejects(verifyPassword('$argon2id$v=19$m=65536,t=3,p=4$AAAA$AAAA', 'x'), { statusCode: 503, message: /Réessayez dans quelques secondes/ });
  const hashes = await Promise.all(queued);
  t.equal(new Set(hashes).size, 34, 'every queued hash completes');
  t.same(passwordWork(), { running: 0, waiting: 0 }, 'the slots are all given back');
  t.ok(await verifyPassword(hashes[33]!, 'mot de passe 33'), 'and the hashes are right');
  t.notOk(await verifyPassword('pas un hachage', 'x'), 'a malformed hash is a failure, and gives its slot back');
  t.same(passwordWork(), { running: 0, waiting: 0 });
});
