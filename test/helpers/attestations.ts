import type { Profile } from '../../src/domain/profiles.js';
import { answerEverythingRight } from '../../src/operator/seed-demo-history.js';
import type { IdentityFields, Room } from './kiosk-room.js';
import { startCandidate, type Candidate } from './kiosk.js';

export const SIGNATORY = {
  representant: 'Hélène Dupré-Lagarde',
  qualite: 'Directrice du centre de formation',
  ville: 'Saint-Étienne',
  telephone: '04 77 12 34 56',
};

/**
 * A candidate of the room whose exam is over: every answer right (admitted) or none given (not
 * admitted), then « Terminer » on the kiosk. The answers are written straight into the draw: how
 * the kiosk saves them is the kiosk's tests' business.
 */
export async function finishedCandidate(
  room: Room,
  options: { passed: boolean; profile?: Profile; identity?: IdentityFields; ip?: string },
): Promise<Candidate> {
  const candidate = await startCandidate(room, { profile: options.profile, identity: options.identity, ip: options.ip });
  if (options.passed) await answerEverythingRight(room.db, candidate.examId);
  const finished = await candidate.agent.post('/examen/terminer', {});
  if (finished.statusCode >= 400) throw new Error(`finish refused: ${finished.statusCode}`);
  const row = await room.db.selectFrom('exams').select(['finished_at', 'passed']).where('id', '=', candidate.examId).executeTakeFirstOrThrow();
  if (!row.finished_at || (row.passed === 1) !== options.passed) throw new Error(`exam ${candidate.examId} did not end as expected: ${JSON.stringify(row)}`);
  return candidate;
}

/** The attestation number given to an exam at its end. */
export async function attestationNumberOf(room: Room, examId: number): Promise<string> {
  const row = await room.db.selectFrom('attestations').select('number').where('exam_id', '=', examId).executeTakeFirstOrThrow();
  return row.number;
}
