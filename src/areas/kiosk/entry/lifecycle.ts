import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/schema.js';
import { readBirthDate } from '../../../domain/candidate-identity.js';
import { parseCentreId } from '../../../domain/centre-id.js';
import { recordRepeatedAudit } from '../../../services/audit.js';
import { kioskActor, kioskFailure, moveExamToTerminal, type TerminalAdmission } from '../../../services/exam/admission.js';
import { getOverview } from '../exam/queries.js';
import { getExamHeader } from '../terminal/queries.js';
import type { KioskEntry } from '../terminal/session.js';
import { findExamInProgressByToken } from './queries.js';
import { checkTokenEntry } from './token-check.js';

export type EntryOutcome =
  { kind: 'refused'; message: string; status: 400 | 429 } | { kind: 'resume'; examId: number } | { kind: 'entered'; entry: KioskEntry };

const OTHER_CENTRE = 'Ce poste est admis dans un autre centre d’examen. Vérifiez l’identifiant du centre.';

/**
 * A candidate typed a centre ID and a token on an admitted terminal: an exam in progress with that
 * token is found again (a crashed terminal), else the token must be able to start an exam now in
 * the terminal's session. The token is checked first: the throttle, counted per (address prefix,
 * centre), only ever refuses a failing attempt.
 */
export async function enterKiosk(
  db: Kysely<Database>,
  now: Date,
  input: { centre: string; jeton: string; ip: string; admission: TerminalAdmission },
): Promise<EntryOutcome> {
  if (!input.centre || !input.jeton) return { kind: 'refused', message: 'Saisissez l’identifiant du centre et le jeton d’examen.', status: 400 };
  const { admission } = input;
  const refuse = async (message: string): Promise<EntryOutcome> => {
    const locked = await kioskFailure(db, input.ip, admission.centreId, now);
    return locked ? { kind: 'refused', message: `${message} ${locked}`, status: 429 } : { kind: 'refused', message, status: 400 };
  };
  if (parseCentreId(input.centre) !== admission.centreId) return refuse(OTHER_CENTRE);

  // An exam in progress is resumed even once its session is closed: the candidate was already in.
  const inProgress = await findExamInProgressByToken(db, admission.centreId, input.jeton, now);
  if (inProgress) return { kind: 'resume', examId: inProgress.id };

  // Every refusal counts, « no open session » included: the lookup of an exam in progress above
  // already tried the token.
  const check = await checkTokenEntry(db, now, input.centre, input.jeton);
  if (!check.ok) return refuse(check.message);
  if (!check.openSessions.some((s) => s.id === admission.sessionId)) {
    return { kind: 'refused', message: 'La session à laquelle ce poste est admis n’est pas ouverte. Adressez-vous au surveillant.', status: 400 };
  }
  return {
    kind: 'entered',
    entry: {
      centreId: check.centreId,
      tokenId: check.tokenId,
      questionnaireId: check.questionnaireId,
      sessionId: admission.sessionId,
      admissionId: admission.id,
      identity: null,
    },
  };
}

export type ResumeOutcome =
  | { kind: 'gone' }
  | { kind: 'unreadable'; message: string }
  | { kind: 'refused'; message: string; status: 400 | 403 | 429 }
  | { kind: 'resumed'; generation: number; nextPosition: number };

export const RESUME_MESSAGES = {
  birthDate: 'Cette date de naissance ne correspond pas à celle saisie au début de l’examen.',
  needsLeave:
    'Cet examen a commencé sur un autre poste. Pour le reprendre sur celui-ci, demandez au surveillant de l’autoriser (bouton « Autoriser la reprise sur un autre poste » de la fiche de l’examen), puis confirmez de nouveau votre date de naissance.',
  otherSession: 'Cet examen a lieu dans une autre session : reprenez-le sur un poste de sa salle.',
} as const;

/**
 * The candidate confirms their birth date (typed JJ/MM/AAAA or AAAA-MM-JJ) to take their exam over
 * on this admitted terminal: on the terminal it ran on (after a reboot) at once, on another one
 * only with the supervisor's leave (services/exam/admission.ts). The exam goes on at its first
 * unanswered question. Only a date that reads as one and differs is a failed attempt (audited,
 * counted by the room's throttle): « 23/04/85 » or « abc » is a typing slip, said at the field.
 */
export async function resumeOnThisTerminal(
  db: Kysely<Database>,
  clock: Clock,
  input: { examId: number; birthDate: string; ip: string; admission: TerminalAdmission },
): Promise<ResumeOutcome> {
  const now = clock.now();
  const exam = await getExamHeader(db, input.examId);
  if (!exam) return { kind: 'gone' };
  const typed = readBirthDate(input.birthDate);
  if (!typed.ok) return { kind: 'unreadable', message: typed.message };
  if (typed.date !== exam.birthDate) {
    // In the journal, one row an hour per terminal address and exam: a guesser does not flood it.
    await recordRepeatedAudit(
      db,
      clock,
      {
        action: 'examen.reprise_refusee',
        actor: kioskActor('candidat', input.ip),
        target: { type: 'examen', id: input.examId },
        details: { nouveau_poste: input.admission.id, motif: 'date_naissance' },
      },
      60 * 60_000,
    );
    const locked = await kioskFailure(db, input.ip, exam.centreId, now);
    return locked
      ? { kind: 'refused', message: `${RESUME_MESSAGES.birthDate} ${locked}`, status: 429 }
      : { kind: 'refused', message: RESUME_MESSAGES.birthDate, status: 400 };
  }
  const moved = await moveExamToTerminal(db, clock, input.examId, input.admission, input.ip);
  if (!moved.ok && (moved.reason === 'gone' || moved.reason === 'withdrawn')) return { kind: 'gone' };
  if (!moved.ok) return { kind: 'refused', message: moved.reason === 'needs_leave' ? RESUME_MESSAGES.needsLeave : RESUME_MESSAGES.otherSession, status: 403 };
  const overview = await getOverview(db, input.examId);
  return { kind: 'resumed', generation: moved.generation, nextPosition: overview.find((q) => !q.answered)?.position ?? 1 };
}
