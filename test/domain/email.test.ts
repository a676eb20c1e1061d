import t from 'tap';
import { isPlausibleEmail } from '../../src/domain/email.js';

t.test('plausible addresses', async (t) => {
  for (const ok of ['gestionnaire@centre.fr', 'prenom.nom+aipr@sous.domaine.gouv.fr', `${'a'.repeat(240)}@centre.fr`])
    t.ok(isPlausibleEmail(ok), ok.slice(0, 40));
  for (const bad of ['', 'sans-arobase', 'a@b', 'a b@centre.fr', '@centre.fr', 'a@centre.fr@x.fr', `${'a'.repeat(245)}@centre.fr`])
    t.notOk(isPlausibleEmail(bad), bad.slice(0, 40));
});

t.test('a long text is refused by its length, before the pattern runs on it', async (t) => {
  // 50 kB of « a@a@a… » made the backtracking pattern take seconds: the length check now answers first.
  const hostile = 'a@'.repeat(25_000);
  const pattern = RegExp.prototype.test;
  // Counts the pattern's runs on the two texts of this test (the test runner uses patterns too).
  const runs = { hostile: 0, short: 0 };
  RegExp.prototype.test = function (this: RegExp, text: string) {
    if (text === hostile) runs.hostile += 1;
    if (text === 'court@centre.fr') runs.short += 1;
    return pattern.call(this, text);
  };
  t.teardown(() => {
    RegExp.prototype.test = pattern;
  });
  const refused = isPlausibleEmail(hostile);
  const accepted = isPlausibleEmail('court@centre.fr');
  RegExp.prototype.test = pattern;
  t.notOk(refused);
  t.equal(runs.hostile, 0, 'the pattern never ran on the long text');
  t.ok(accepted);
  t.equal(runs.short, 1, 'it runs on a text of a plausible length');
});
