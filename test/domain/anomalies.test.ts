import t from 'tap';
import fc from 'fast-check';
import {
  DONT_KNOW_SHARE,
  isMostlyDontKnow,
  isRushed,
  isVolumeSurge,
  RUSHED_EXAM_MINUTES,
  SURGE_FACTOR,
  SURGE_FLOOR,
  SURGE_HISTORY_WEEKS,
  usualWeeklyVolume,
} from '../../src/domain/anomalies.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 7, 9, 0) + minutes * 60_000).toISOString();

t.test('a rushed exam: ended by the candidate within five minutes; the clock never rushes', async (t) => {
  t.equal(RUSHED_EXAM_MINUTES, 5);
  t.ok(isRushed({ startedAt: at(0), finishedAt: at(4.99), finishReason: 'candidat' }));
  t.notOk(isRushed({ startedAt: at(0), finishedAt: at(5), finishReason: 'candidat' }), 'five minutes is not less than five');
  t.notOk(
    isRushed({ startedAt: at(0), finishedAt: at(2), finishReason: 'delai' }),
    'a deadline reached (after extra time taken back, say) is not the candidate’s doing',
  );
});

t.test('mostly « Je ne sais pas »: half the questions or more', async (t) => {
  t.equal(DONT_KNOW_SHARE, 0.5);
  t.ok(isMostlyDontKnow(15, 30));
  t.notOk(isMostlyDontKnow(14, 30));
  t.ok(isMostlyDontKnow(30, 30));
  t.notOk(isMostlyDontKnow(0, 0), 'an exam without questions flags nothing');
});

t.test('a volume surge: at least 20 in the last week and three times the usual week', async (t) => {
  t.equal(usualWeeklyVolume(80), 10);
  t.ok(isVolumeSurge(30, 80), '30 against a usual 10');
  t.notOk(isVolumeSurge(29, 80), 'less than three times');
  t.notOk(isVolumeSurge(19, 0), 'a new centre’s first sessions are not a surge below the floor');
  t.ok(isVolumeSurge(20, 0), 'from the floor on, a centre without history is');
});

t.test('property: the surge rule is monotonic — more exams this week never un-flags, more history never flags', async () => {
  const volume = fc.integer({ min: 0, max: 2000 });
  fc.assert(
    fc.property(volume, volume, fc.integer({ min: 0, max: 100 }), (lastWeek, history, more) => {
      if (isVolumeSurge(lastWeek, history) && !isVolumeSurge(lastWeek + more, history)) return false;
      if (!isVolumeSurge(lastWeek, history) && isVolumeSurge(lastWeek, history + more)) return false;
      const flagged = isVolumeSurge(lastWeek, history);
      return flagged === (lastWeek >= SURGE_FLOOR && lastWeek * SURGE_HISTORY_WEEKS >= SURGE_FACTOR * history);
    }),
  );
});
