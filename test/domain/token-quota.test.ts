import fc from 'fast-check';
import t from 'tap';
import {
  checkDailyQuota,
  DAILY_QUOTA_MAX,
  DAILY_QUOTA_MIN,
  effectiveDailyQuota,
  overQuotaMessage,
  parseCentreDailyQuota,
  parseNationalDailyQuota,
  quotaHint,
  quotaUsageText,
  remainingToday,
} from '../../src/domain/token-quota.js';

const CONTACT = 'Pour un besoin exceptionnel, contactez l’administration nationale.';

t.test('the centre’s own quota wins over the national default; none means the default', async (t) => {
  t.equal(effectiveDailyQuota(null, 200), 200);
  t.equal(effectiveDailyQuota(50, 200), 50);
  t.equal(effectiveDailyQuota(1000, 200), 1000, 'a centre’s quota may be above the default');
});

t.test('a batch fits while it does not go past the quota; the remainder is what is left after it', async (t) => {
  t.same(checkDailyQuota({ quota: 200, issuedToday: 0 }, 200), { ok: true, remaining: 0 }, 'a batch that exactly reaches the quota passes');
  t.same(checkDailyQuota({ quota: 200, issuedToday: 150 }, 50), { ok: true, remaining: 0 });
  t.same(checkDailyQuota({ quota: 200, issuedToday: 150 }, 10), { ok: true, remaining: 40 });
  t.same(checkDailyQuota({ quota: 200, issuedToday: 150 }, 51), {
    ok: false,
    remaining: 50,
    message: `Le quota de votre centre est de 200 jetons par jour ; 150 ont déjà été générés aujourd’hui : vous pouvez en générer encore 50 au plus. ${CONTACT}`,
  });
  t.same(checkDailyQuota({ quota: 200, issuedToday: 200 }, 1), {
    ok: false,
    remaining: 0,
    message: `Le quota de votre centre est de 200 jetons par jour ; 200 ont déjà été générés aujourd’hui : vous ne pouvez plus en générer avant demain. ${CONTACT}`,
  });
  t.equal(remainingToday({ quota: 100, issuedToday: 250 }), 0, 'a quota lowered below what was issued leaves nothing, never a negative count');
  t.notOk(checkDailyQuota({ quota: 100, issuedToday: 250 }, 1).ok);
});

t.test('the refusal speaks French: singular, none yet, thousands', async (t) => {
  t.equal(
    overQuotaMessage({ quota: 100, issuedToday: 0 }),
    `Le quota de votre centre est de 100 jetons par jour ; aucun n’a encore été généré aujourd’hui : vous pouvez en générer 100 au plus. ${CONTACT}`,
  );
  t.equal(
    overQuotaMessage({ quota: 2, issuedToday: 1 }),
    `Le quota de votre centre est de 2 jetons par jour ; 1 a déjà été généré aujourd’hui : vous pouvez en générer encore 1 au plus. ${CONTACT}`,
  );
  t.equal(
    overQuotaMessage({ quota: 1, issuedToday: 1 }),
    `Le quota de votre centre est de 1 jeton par jour ; 1 a déjà été généré aujourd’hui : vous ne pouvez plus en générer avant demain. ${CONTACT}`,
  );
  t.equal(
    overQuotaMessage({ quota: 5000, issuedToday: 4800 }),
    `Le quota de votre centre est de 5\u00a0000 jetons par jour ; 4\u00a0800 ont déjà été générés aujourd’hui : vous pouvez en générer encore 200 au plus. ${CONTACT}`,
    'digits grouped with no-break spaces',
  );
});

t.test('the hint of the count field, and the administrator’s line', async (t) => {
  t.equal(quotaHint({ quota: 200, issuedToday: 150 }), 'Quota de votre centre : 200 jetons par jour ; vous pouvez encore en générer 50 aujourd’hui.');
  t.equal(quotaHint({ quota: 200, issuedToday: 0 }), 'Quota de votre centre : 200 jetons par jour ; vous pouvez encore en générer 200 aujourd’hui.');
  t.equal(
    quotaHint({ quota: 200, issuedToday: 200 }),
    'Quota de votre centre : 200 jetons par jour, atteint aujourd’hui ; vous pourrez en générer de nouveau demain.',
  );
  t.equal(quotaUsageText({ quota: 200, issuedToday: 150 }), 'Aujourd’hui : 150 jetons générés sur un quota de 200 jetons par jour.');
  t.equal(quotaUsageText({ quota: 1, issuedToday: 1 }), 'Aujourd’hui : 1 jeton généré sur un quota de 1 jeton par jour.');
  t.equal(quotaUsageText({ quota: 200, issuedToday: 0 }), 'Aujourd’hui : 0 jeton généré sur un quota de 200 jetons par jour.');
});

t.test('for every quota, day and batch: a batch passes exactly when it fits, and the day never goes past the quota', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 500 }), (quota, issuedToday, count) => {
      const check = checkDailyQuota({ quota, issuedToday }, count);
      if (check.ok !== issuedToday + count <= quota) return false;
      if (check.ok) return check.remaining === quota - issuedToday - count && check.remaining >= 0;
      return check.remaining === Math.max(0, quota - issuedToday) && check.remaining < count && check.message.endsWith(CONTACT);
    }),
  );
  // Whatever batches a manager asks for in a day, in whatever order, the day ends at or below the quota.
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2_000 }), fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 40 }), (quota, asked) => {
      let issuedToday = 0;
      for (const count of asked) {
        const check = checkDailyQuota({ quota, issuedToday }, count);
        if (check.ok) issuedToday += count;
        if (remainingToday({ quota, issuedToday }) !== quota - issuedToday) return false;
      }
      return issuedToday <= quota;
    }),
  );
  t.pass('holds for every generated case');
});

t.test('the national default is required, from 1 to 100 000; a centre’s quota may be left empty', async (t) => {
  const range = 'Le quota doit être un nombre entier entre 1 et 100\u00a0000.';
  t.same(parseNationalDailyQuota('200'), { ok: true, value: 200 });
  t.same(parseNationalDailyQuota(' 1 '), { ok: true, value: 1 });
  t.same(parseNationalDailyQuota('100000'), { ok: true, value: 100_000 });
  t.same(parseNationalDailyQuota('100 000'), { ok: true, value: 100_000 }, 'thousands grouped as French writes them');
  t.same(parseNationalDailyQuota('1\u00a0500'), { ok: true, value: 1500 }, 'a no-break space, as copied from the page');
  t.same(parseNationalDailyQuota('1\u202f500'), { ok: true, value: 1500 }, 'a narrow no-break space');
  t.same(parseNationalDailyQuota(''), { ok: false, message: 'Indiquez le quota national par défaut.' });
  t.same(parseNationalDailyQuota('   '), { ok: false, message: 'Indiquez le quota national par défaut.' });
  for (const raw of ['0', '100001', '-5', '2.5', '1,5', 'deux cents', '1e3', '1 00', '10 0000', '0x10', '1000000000000']) {
    t.same(parseNationalDailyQuota(raw), { ok: false, message: range }, JSON.stringify(raw));
  }

  const centreRange = 'Le quota doit être un nombre entier entre 1 et 100\u00a0000, ou rester vide pour appliquer le quota national.';
  t.same(parseCentreDailyQuota(''), { ok: true, value: null }, 'empty: the national default');
  t.same(parseCentreDailyQuota('  '), { ok: true, value: null });
  t.same(parseCentreDailyQuota('350'), { ok: true, value: 350 });
  for (const raw of ['0', '100001', '-1', 'beaucoup', '12.0']) {
    t.same(parseCentreDailyQuota(raw), { ok: false, message: centreRange }, JSON.stringify(raw));
  }

  fc.assert(
    fc.property(fc.integer({ min: -1_000, max: 300_000 }), (n) => {
      const national = parseNationalDailyQuota(String(n));
      const centre = parseCentreDailyQuota(String(n));
      const valid = n >= DAILY_QUOTA_MIN && n <= DAILY_QUOTA_MAX;
      return national.ok === valid && centre.ok === valid && (!national.ok || national.value === n) && (!centre.ok || centre.value === n);
    }),
  );
});
