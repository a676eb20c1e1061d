import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { parseCentreId } from '../../../domain/centre-id.js';
import { retryMessage } from '../../../domain/throttle.js';
import { attachNewTerminal } from '../../../services/exam/lifecycle.js';
import { latestLock } from '../../../services/throttle-store.js';
import { getOverview } from '../exam/queries.js';
import { getExamHeader } from '../terminal/queries.js';
import { countKioskFailure, kioskThrottleKeys, type KioskEntry } from '../terminal/session.js';
import { findExamInProgressByToken } from './queries.js';
import { checkTokenEntry } from './token-check.js';

const TOO_MANY = 'Trop de tentatives infructueuses.';
const TOO_MANY_ON_TERMINAL = 'Trop de tentatives infructueuses sur ce poste.';

export type EntryOutcome =
  { kind: 'refused'; message: string; status: 400 | 429 } | { kind: 'resume'; examId: number } | { kind: 'entered'; entry: KioskEntry };

/**
 * A candidate typed a centre ID and a token: an exam in progress with that token is found again (a
 * crashed terminal), else the token must be able to start an exam now. A failure counts against
 * the terminal and the centre; a lock refuses even a right answer until it ends.
 */
export async function enterKiosk(db: Kysely<Database>, now: Date, input: { centre: string; jeton: string; ip: string }): Promise<EntryOutcome> {
  const centreNumber = parseCentreId(input.centre);
  const lock = await latestLock(db, kioskThrottleKeys(input.ip, centreNumber), now);
  if (lock) return { kind: 'refused', message: `${TOO_MANY} ${retryMessage(lock, now)}`, status: 429 };
  if (!input.centre || !input.jeton) return { kind: 'refused', message: 'Saisissez l’identifiant du centre et le jeton d’examen.', status: 400 };

  // An exam in progress is resumed even once its session is closed: the candidate was already in.
  const inProgress = centreNumber ? await findExamInProgressByToken(db, centreNumber, input.jeton, now) : undefined;
  if (inProgress) return { kind: 'resume', examId: inProgress.id };

  const check = await checkTokenEntry(db, now, input.centre, input.jeton);
  if (!check.ok) {
    const locked = await countKioskFailure(db, input.ip, centreNumber, now);
    return locked
      ? { kind: 'refused', message: `${check.message} ${TOO_MANY} ${retryMessage(locked, now)}`, status: 429 }
      : { kind: 'refused', message: check.message, status: 400 };
  }
  const sessionIds = check.openSessions.map((s) => s.id);
  return {
    kind: 'entered',
    entry: {
      centreId: check.centreId,
      tokenId: check.tokenId,
      questionnaireId: check.questionnaireId,
      sessionIds,
      sessionId: sessionIds.length === 1 ? sessionIds[0]! : null,
      identity: null,
    },
  };
}

export type ResumeOutcome =
  { kind: 'gone' } | { kind: 'refused'; message: string; status: 400 | 429 } | { kind: 'resumed'; generation: number; nextPosition: number };

/**
 * The candidate confirms their birth date to take their exam over on this terminal: the exam moves
 * here (the previous terminal's session stops reaching it) and goes on at its first unanswered
 * question.
 */
export async function resumeOnThisTerminal(db: Kysely<Database>, now: Date, input: { examId: number; birthDate: string; ip: string }): Promise<ResumeOutcome> {
  const exam = await getExamHeader(db, input.examId);
  if (!exam) return { kind: 'gone' };
  const lock = await latestLock(db, kioskThrottleKeys(input.ip, exam.centreId), now);
  if (lock) return { kind: 'refused', message: `${TOO_MANY_ON_TERMINAL} ${retryMessage(lock, now)}`, status: 429 };
  if (input.birthDate !== exam.birthDate) {
    const locked = await countKioskFailure(db, input.ip, exam.centreId, now);
    const failure = 'Cette date de naissance ne correspond pas à celle saisie au début de l’examen.';
    return locked
      ? { kind: 'refused', message: `${failure} ${TOO_MANY_ON_TERMINAL} ${retryMessage(locked, now)}`, status: 429 }
      : { kind: 'refused', message: failure, status: 400 };
  }
  const generation = await attachNewTerminal(db, input.examId);
  const overview = await getOverview(db, input.examId);
  return { kind: 'resumed', generation, nextPosition: overview.find((q) => !q.answered)?.position ?? 1 };
}
