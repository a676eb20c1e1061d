import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Identity } from '../domain/candidate-identity.js';
import { addDays, parisDate, parisStartOfDay } from '../domain/paris-time.js';
import type { Profile } from '../domain/profiles.js';
import { cancelExam, pauseExams, resumeExams } from '../areas/centre/exams/lifecycle.js';
import { closeSession, createSession, noteIncident, openSession } from '../areas/centre/sessions/lifecycle.js';
import { CLI_ACTOR } from '../services/audit.js';
import { findSignatory, updateSignatory } from '../services/centres/signatory.js';
import { finishExam, startExam } from '../services/exam/lifecycle.js';

/** How many days before the seeding the demo's past session took place. */
export const DEMO_HISTORY_DAYS_AGO = 7;
export const DEMO_HISTORY_ROOM = 'Salle 2';
export const DEMO_HISTORY_SUPERVISOR = 'Claire Fontaine';

export const DEMO_SIGNATORY = {
  representative_name: 'Camille Martin',
  representative_title: 'Responsable du centre d’examen',
  town: 'Paris',
  phone: '01 23 45 67 89',
};

/** Fictitious candidates of the past session: three admitted, two not, across the three profiles. */
const CANDIDATES: readonly { profile: Profile; passed: boolean; identity: Identity }[] = [
  {
    profile: 'operateur',
    passed: true,
    identity: {
      lastName: 'Marchand',
      firstName: 'Julie',
      birthDate: '1990-03-14',
      company: 'Réseaux Sud-Est TP',
      companyAddress: '12 avenue Jean Jaurès, 69007 Lyon',
    },
  },
  {
    profile: 'encadrant',
    passed: true,
    identity: { lastName: 'Lefèbvre', firstName: 'Théo', birthDate: '1984-11-02', company: 'Canalisations de l’Ouest', companyAddress: '44000 Nantes' },
  },
  {
    profile: 'concepteur',
    passed: true,
    identity: {
      lastName: 'Dubois',
      firstName: 'Amélie',
      birthDate: '1979-06-25',
      company: 'Bureau d’études Hydra',
      companyAddress: '5 allée des Sources, 31000 Toulouse',
    },
  },
  {
    profile: 'operateur',
    passed: false,
    identity: { lastName: 'Girard', firstName: 'Kévin', birthDate: '1998-01-30', company: 'Terrassements Girard', companyAddress: null },
  },
  { profile: 'encadrant', passed: false, identity: { lastName: 'Roche', firstName: 'Inès', birthDate: '1993-09-08', company: null, companyAddress: null } },
];

export const DEMO_HISTORY_NOTE = 'Poste 4 remplacé (écran défaillant) ; la candidate a repris sur le poste 6.';
export const DEMO_HISTORY_PAUSE_REASON = 'Coupure de courant dans la salle.';
export const DEMO_HISTORY_CANCEL_REASON = 'Candidat surpris à consulter son téléphone pendant l’épreuve.';
const CANCELLED_CANDIDATE: Identity = { lastName: 'Perrin', firstName: 'Lucas', birthDate: '2000-05-17', company: 'Voirie Express', companyAddress: null };

/** A clock stopped at a given instant: the past session is run through the same lifecycles as a real one. */
function clockAt(at: Date): Clock {
  return { now: () => at };
}

/**
 * The demo centre's history, so that a new user sees results, archives, a session report and
 * attestations at once: its signatory (unless set), and a session a week ago, opened, sat by five
 * candidates (every answer right, or none) and a sixth whose exam was cancelled, with a note, and closed. Idempotent: nothing is added once the centre has a finished exam.
 */
export async function seedDemoHistory(db: Kysely<Database>, clock: Clock, centreId: number): Promise<{ sessionId: number | null }> {
  const signatory = await findSignatory(db, centreId);
  if (signatory && !signatory.representative_name) await updateSignatory(db, clock, centreId, DEMO_SIGNATORY, { actor: CLI_ACTOR });
  const finished = await db.selectFrom('exams').select('id').where('centre_id', '=', centreId).where('finished_at', 'is not', null).executeTakeFirst();
  if (finished) return { sessionId: null };
  const centre = await db.selectFrom('centres').select(['id', 'status', 'suspension_reason']).where('id', '=', centreId).executeTakeFirstOrThrow();
  if (centre.status !== 'active') return { sessionId: null };

  const day = addDays(parisDate(clock.now()), -DEMO_HISTORY_DAYS_AGO);
  const at = (hours: number, minutes = 0) => clockAt(new Date(parisStartOfDay(day).getTime() + (hours * 60 + minutes) * 60_000));
  const acting = { actor: CLI_ACTOR };
  const created = await createSession(
    db,
    at(8),
    centreId,
    { date: day, startTime: '09:00', room: DEMO_HISTORY_ROOM, supervisor: DEMO_HISTORY_SUPERVISOR },
    acting,
  );
  if (!created.ok)
    throw new Error(`Session passée de démonstration refusée : ${'errors' in created ? Object.values(created.errors).join(' ') : created.suspended}`);
  const opened = await openSession(
    db,
    at(8, 50),
    { id: centre.id, status: centre.status, suspensionReason: centre.suspension_reason },
    created.sessionId,
    acting,
  );
  if (!opened?.ok) throw new Error(`Session passée de démonstration non ouverte : ${opened ? opened.message : 'introuvable'}`);

  // The morning in order: the candidates start, a terminal is replaced, one more candidate starts,
  // a power cut pauses the room for four minutes, that candidate's exam is cancelled, the others finish.
  const availableToken = (profile: Profile) =>
    db
      .selectFrom('exam_tokens as t')
      .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
      .select(['t.id'])
      .where('t.centre_id', '=', centreId)
      .where('t.status', '=', 'available')
      .where('q.profile', '=', profile)
      .where('q.status', '=', 'published')
      .orderBy('t.id')
      .executeTakeFirst();
  const started: number[] = [];
  for (const [index, candidate] of CANDIDATES.entries()) {
    const token = await availableToken(candidate.profile);
    if (!token) throw new Error(`Aucun jeton ${candidate.profile} disponible pour l’historique de démonstration.`);
    const exam = await startExam(db, at(9, index * 2), { centreId, tokenId: token.id, examSessionId: created.sessionId, identity: candidate.identity });
    if (!exam.ok) throw new Error(`Examen de démonstration refusé : ${exam.message}`);
    started.push(exam.examId);
  }
  await noteIncident(db, at(9, 12), centreId, created.sessionId, DEMO_HISTORY_NOTE, acting);
  const cancelledToken = await availableToken('operateur');
  const cancelled = cancelledToken
    ? await startExam(db, at(9, 15), { centreId, tokenId: cancelledToken.id, examSessionId: created.sessionId, identity: CANCELLED_CANDIDATE })
    : null;
  await pauseExams(db, at(9, 30), { centreId, target: { sessionId: created.sessionId }, reason: DEMO_HISTORY_PAUSE_REASON }, acting);
  await resumeExams(db, at(9, 34), { centreId, target: { sessionId: created.sessionId } }, acting);
  if (cancelled?.ok) await cancelExam(db, at(9, 38), { centreId, examId: cancelled.examId, reason: DEMO_HISTORY_CANCEL_REASON }, acting);
  for (const [index, candidate] of CANDIDATES.entries()) {
    if (candidate.passed) await answerEverythingRight(db, started[index]!);
    await finishExam(db, at(9, 40 + index * 3), started[index]!, 'candidat');
  }
  await closeSession(db, at(11), centreId, created.sessionId, acting);
  return { sessionId: created.sessionId };
}

/** Every question of a started exam answered right, written straight into its draw (demo data and tests). */
export async function answerEverythingRight(db: Kysely<Database>, examId: number): Promise<void> {
  const items = await db.selectFrom('exam_questions').select(['position', 'question_id']).where('exam_id', '=', examId).execute();
  for (const item of items) {
    const right = await db.selectFrom('answers').select('id').where('question_id', '=', item.question_id).where('correct', '=', 1).executeTakeFirstOrThrow();
    await db
      .updateTable('exam_questions')
      .set({ chosen_answer_id: right.id, response_seq: 1 })
      .where('exam_id', '=', examId)
      .where('position', '=', item.position)
      .execute();
  }
}
