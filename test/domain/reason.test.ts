import t from 'tap';
import { readReason, REASON_MAX, REASON_MIN, reasonProblem } from '../../src/domain/reason.js';

t.test('a reason is read on one line and needs 5 to 500 characters, said in the words of its act', async (t) => {
  t.equal(readReason('  Fraude\n  constatée  '), 'Fraude constatée');
  t.equal(readReason(42), '', 'anything but text reads as empty');
  t.equal(reasonProblem('abcd', 'de l’annulation'), `Indiquez le motif de l’annulation (au moins ${REASON_MIN} caractères).`);
  t.equal(reasonProblem('x'.repeat(REASON_MAX + 1), 'de la pause'), `Le motif ne doit pas dépasser ${REASON_MAX} caractères.`);
  t.equal(reasonProblem('abcde', 'de la pause'), null);
  t.equal(reasonProblem('x'.repeat(REASON_MAX), 'de la pause'), null, 'the maximum itself is kept');
  const incident = { asked: 'Décrivez l’incident', noun: 'La description' };
  t.equal(reasonProblem('', 'de l’incident', incident), 'Décrivez l’incident (au moins 5 caractères).');
  t.equal(reasonProblem('x'.repeat(501), 'de l’incident', incident), 'La description ne doit pas dépasser 500 caractères.');
});
