import t from 'tap';
import fc from 'fast-check';
import { canClose, canOpen, effectiveStatus, isOpenForExams, isStale, validateNewSession, type SessionStatus } from '../../src/domain/exam-session-rules.js';
import { addDays, parisDate } from '../../src/domain/paris-time.js';

// 10:00 in Paris on Sunday 29 November 2026.
const NOW = new Date('2026-11-29T09:00:00Z');
const TODAY = '2026-11-29';
const YESTERDAY = '2026-11-28';
const TOMORROW = '2026-11-30';

t.test('a session is open for exams only when open and on its own day', async (t) => {
  t.ok(isOpenForExams({ status: 'open', date: TODAY }, NOW));
  t.notOk(isOpenForExams({ status: 'planned', date: TODAY }, NOW), 'planned');
  t.notOk(isOpenForExams({ status: 'closed', date: TODAY }, NOW), 'closed');
  t.notOk(isOpenForExams({ status: 'open', date: YESTERDAY }, NOW), 'open, but its day is over');
  // Just before and just after midnight in Paris (23:00 UTC in winter).
  t.ok(isOpenForExams({ status: 'open', date: TODAY }, new Date('2026-11-29T22:59:59.999Z')), 'still open at 23:59:59.999');
  t.notOk(isOpenForExams({ status: 'open', date: TODAY }, new Date('2026-11-29T23:00:00.000Z')), 'closed by itself at midnight');
});

t.test('for every status, day and instant: open for exams ⇔ status open ∧ date = Paris today', async () => {
  fc.assert(
    fc.property(
      fc.constantFrom<SessionStatus>('planned', 'open', 'closed'),
      fc.integer({ min: -3, max: 3 }),
      fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
      (status, offset, now) => {
        const session = { status, date: addDays(parisDate(now), offset) };
        const expected = status === 'open' && offset === 0;
        const stillOpen = status === 'open' && offset >= 0;
        return isOpenForExams(session, now) === expected && (effectiveStatus(session, now) === 'open') === stillOpen;
      },
    ),
  );
});

t.test('a stale open session counts as closed', async (t) => {
  t.ok(isStale({ status: 'open', date: YESTERDAY }, TODAY));
  t.notOk(isStale({ status: 'open', date: TODAY }, TODAY));
  t.notOk(isStale({ status: 'planned', date: YESTERDAY }, TODAY), 'a planned session is not stale: it never opened');
  t.equal(effectiveStatus({ status: 'open', date: YESTERDAY }, NOW), 'closed');
  t.equal(effectiveStatus({ status: 'planned', date: YESTERDAY }, NOW), 'planned');
});

t.test('opening: only a planned session, only on its day', async (t) => {
  t.same(canOpen({ status: 'planned', date: TODAY }, NOW), { ok: true });
  t.same(canOpen({ status: 'planned', date: TOMORROW }, NOW), {
    ok: false,
    message: 'Cette session est prévue le lundi 30 novembre 2026 : elle ne pourra être ouverte que ce jour-là.',
  });
  t.same(canOpen({ status: 'planned', date: YESTERDAY }, NOW), {
    ok: false,
    message: 'Le jour de cette session (samedi 28 novembre 2026) est passé : elle ne peut plus être ouverte.',
  });
  t.same(canOpen({ status: 'open', date: TODAY }, NOW), { ok: false, message: 'Cette session est déjà ouverte.' });
  const reopen = canOpen({ status: 'closed', date: TODAY }, NOW);
  t.same(reopen, { ok: false, message: 'Une session fermée ne peut pas être rouverte. Créez une nouvelle session si nécessaire.' });
  t.same(canOpen({ status: 'open', date: YESTERDAY }, NOW), reopen, 'yesterday’s open session is closed: it cannot be reopened either');
});

t.test('closing: an open session, at any time', async (t) => {
  t.same(canClose({ status: 'open', date: TODAY }, NOW), { ok: true });
  t.same(canClose({ status: 'open', date: TODAY }, new Date('2026-11-29T22:59:00Z')), { ok: true }, 'late in the evening too');
  t.same(canClose({ status: 'closed', date: TODAY }, NOW), { ok: false, message: 'Cette session est déjà fermée.' });
  t.same(canClose({ status: 'planned', date: TODAY }, NOW), { ok: false, message: 'Cette session n’a pas été ouverte : il n’y a rien à fermer.' });
  t.same(canClose({ status: 'open', date: YESTERDAY }, NOW), { ok: false, message: 'Cette session s’est fermée d’elle-même à la fin de sa journée.' });
});

t.test('transitions only go forward: planned → open → closed', async (t) => {
  const states: SessionStatus[] = ['planned', 'open', 'closed'];
  for (const status of states) {
    const session = { status, date: TODAY };
    t.equal(canOpen(session, NOW).ok, status === 'planned', `open from ${status}`);
    t.equal(canClose(session, NOW).ok, status === 'open', `close from ${status}`);
  }
});

t.test('validateNewSession: each mistake at its field, in French', async (t) => {
  const good = { date: TOMORROW, startTime: '09:30', room: ' Salle 2 ', supervisor: ' Marie Curie ' };
  t.same(validateNewSession(good, NOW), { ok: true, session: { date: TOMORROW, startTime: '09:30', room: 'Salle 2', supervisor: 'Marie Curie' } });
  t.ok(validateNewSession({ ...good, date: TODAY }, NOW).ok, 'today is fine');

  t.same(validateNewSession({ date: '', startTime: '', room: '  ', supervisor: '' }, NOW), {
    ok: false,
    errors: {
      date: 'Indiquez la date de la session.',
      startTime: 'Indiquez l’heure de début.',
      room: 'Indiquez la salle.',
      supervisor: 'Indiquez le nom du surveillant.',
    },
  });
  const bad = validateNewSession({ date: '2026-02-30', startTime: '25:00', room: 'x'.repeat(101), supervisor: 'y'.repeat(101) }, NOW);
  t.same(bad, {
    ok: false,
    errors: {
      date: 'La date doit être une date du calendrier au format AAAA-MM-JJ, par exemple 2026-12-01.',
      startTime: 'L’heure de début doit être au format HH:MM, par exemple 09:30.',
      room: 'Le nom de la salle ne doit pas dépasser 100 caractères.',
      supervisor: 'Le nom du surveillant ne doit pas dépasser 100 caractères.',
    },
  });
  t.same(validateNewSession({ ...good, date: YESTERDAY }, NOW), {
    ok: false,
    errors: { date: 'La date ne peut pas être passée : une session se prépare pour aujourd’hui ou un jour à venir.' },
  });
});
