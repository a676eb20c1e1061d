import t from 'tap';
import { describePurge, parseRetentionYears, retentionCutoff } from '../../src/domain/retention.js';

t.test('an exam is kept through the same day years later, and anonymised the day after', async (t) => {
  t.equal(retentionCutoff('2031-12-07', 5), '2026-12-07', 'the exam of 7 December 2026 is still kept on 7 December 2031');
  t.ok('2026-12-06' < retentionCutoff('2031-12-07', 5), 'the day before is past its period');
  t.equal(retentionCutoff('2026-01-01', 1), '2025-01-01');
  t.equal(retentionCutoff('2026-03-15', 30), '1996-03-15');
});

t.test('29 February: kept through 28 February of a common year, never beyond the period', async (t) => {
  t.equal(retentionCutoff('2029-02-28', 5), '2024-02-28', 'on 28 February 2029, the exam of 29 February 2024 is still kept');
  t.ok('2024-02-29' >= retentionCutoff('2029-02-28', 5));
  t.equal(retentionCutoff('2029-03-01', 5), '2024-03-01', 'on 1 March 2029 it is past');
  t.equal(retentionCutoff('2028-02-29', 5), '2023-03-01', 'on 29 February 2028, the exam of 28 February 2023 is past');
  t.equal(retentionCutoff('2028-02-29', 4), '2024-02-29', 'a leap year to a leap year keeps the same day');
});

t.test('the period as typed: whole years within the bounds, French messages otherwise', async (t) => {
  t.same(parseRetentionYears(' 5 '), { ok: true, value: 5 });
  t.same(parseRetentionYears('1'), { ok: true, value: 1 });
  t.same(parseRetentionYears('30'), { ok: true, value: 30 });
  t.same(parseRetentionYears(''), { ok: false, message: 'Indiquez la durée de conservation, en années.' });
  for (const bad of ['0', '31', '2.5', '-1', 'cinq', '99999999999']) {
    t.same(parseRetentionYears(bad), { ok: false, message: 'La durée doit être un nombre entier d’années entre 1 et 30.' }, bad);
  }
});

t.test('the report in French: the period, then what was or would be done', async (t) => {
  const base = { dryRun: false, years: 5, cutoff: '2021-12-07', exams: 0, attestations: 0, oldest: null, newest: null };
  t.equal(describePurge(base), 'Durée de conservation : 5 ans (examens antérieurs au 07/12/2021). Aucune identité à anonymiser.');
  const some = { ...base, exams: 1204, attestations: 1, oldest: '2019-03-02', newest: '2021-12-06' };
  t.equal(
    describePurge(some),
    'Durée de conservation : 5 ans (examens antérieurs au 07/12/2021). Identités anonymisées : 1\u00a0204 examens du 02/03/2019 au 06/12/2021, dont 1 attestation imprimée.',
  );
  t.equal(
    describePurge({ ...some, dryRun: true, years: 1, exams: 1, attestations: 0, oldest: '2021-12-06', newest: '2021-12-06' }),
    'Durée de conservation : 1 an (examens antérieurs au 07/12/2021). À anonymiser : 1 examen le 06/12/2021 (rien n’a encore été modifié).',
  );
});
