import t from 'tap';
import { PROFILES, PROFILE_LABELS, isProfile } from '../../src/domain/profiles.js';

t.test('the three AIPR profiles, in the import format spelling', async (t) => {
  t.same([...PROFILES], ['concepteur', 'encadrant', 'operateur']);
});

t.test('isProfile accepts only the exact identifiers', async (t) => {
  for (const p of PROFILES) t.ok(isProfile(p), p);
  for (const x of ['Operateur', 'opérateur', ' operateur', 'candidat', '', null, undefined, 1, {}, ['operateur']]) {
    t.notOk(isProfile(x), JSON.stringify(x) ?? typeof x);
  }
});

t.test('French labels', async (t) => {
  t.same(PROFILE_LABELS, { concepteur: 'Concepteur', encadrant: 'Encadrant', operateur: 'Opérateur' });
  t.ok(Object.isFrozen(PROFILE_LABELS));
});
