import { formatLongDate, isValidDate, isValidTime, parisDate } from './paris-time.js';

/**
 * Exam sessions: a supervised room on one day. A token starts an exam only while its centre has a
 * session open for exams, so that a leaked token is useless at home.
 *
 * Life cycle: planned → open → closed, one way only. A session opens only on its own day (Paris
 * time), closes whenever the manager says so, and in any case by itself at the end of its day.
 */

export type SessionStatus = 'planned' | 'open' | 'closed';

export const SESSION_STATUS_LABELS: Readonly<Record<SessionStatus, string>> = Object.freeze({
  planned: 'Planifiée',
  open: 'Ouverte',
  closed: 'Fermée',
});

export interface SessionState {
  status: SessionStatus;
  /** The session's day in Paris, `AAAA-MM-JJ`. */
  date: string;
}

export type RuleOutcome = { ok: true } | { ok: false; message: string };

/** Stored as open, but its day is over: it counts as closed (and is stored so lazily). */
export function isStale(session: SessionState, today: string): boolean {
  return session.status === 'open' && session.date < today;
}

/** The status as the centre and the kiosk must see it at `now`. */
export function effectiveStatus(session: SessionState, now: Date): SessionStatus {
  return isStale(session, parisDate(now)) ? 'closed' : session.status;
}

/** Whether a candidate may start an exam in this session at `now`. */
export function isOpenForExams(session: SessionState, now: Date): boolean {
  return session.status === 'open' && session.date === parisDate(now);
}

export function canOpen(session: SessionState, now: Date): RuleOutcome {
  const today = parisDate(now);
  const status = effectiveStatus(session, now);
  if (status === 'open') return { ok: false, message: 'Cette session est déjà ouverte.' };
  if (status === 'closed') {
    return { ok: false, message: 'Une session fermée ne peut pas être rouverte. Créez une nouvelle session si nécessaire.' };
  }
  if (session.date < today) {
    return { ok: false, message: `Le jour de cette session (${formatLongDate(session.date)}) est passé : elle ne peut plus être ouverte.` };
  }
  if (session.date > today) {
    return { ok: false, message: `Cette session est prévue le ${formatLongDate(session.date)} : elle ne pourra être ouverte que ce jour-là.` };
  }
  return { ok: true };
}

export function canClose(session: SessionState, now: Date): RuleOutcome {
  if (isStale(session, parisDate(now))) {
    return { ok: false, message: 'Cette session s’est fermée d’elle-même à la fin de sa journée.' };
  }
  if (session.status === 'closed') return { ok: false, message: 'Cette session est déjà fermée.' };
  if (session.status === 'planned') {
    return { ok: false, message: 'Cette session n’a pas été ouverte : il n’y a rien à fermer.' };
  }
  return { ok: true };
}

export interface NewSessionInput {
  date: string;
  startTime: string;
  room: string;
  supervisor: string;
}

export type NewSessionField = keyof NewSessionInput;

export const MAX_ROOM_LENGTH = 100;
export const MAX_SUPERVISOR_LENGTH = 100;

export type NewSessionOutcome = { ok: true; session: NewSessionInput } | { ok: false; errors: Partial<Record<NewSessionField, string>> };

/** Checks a new session as typed (trimmed): every mistake, each at its field, in French. */
export function validateNewSession(input: NewSessionInput, now: Date): NewSessionOutcome {
  const session: NewSessionInput = {
    date: input.date.trim(),
    startTime: input.startTime.trim(),
    room: input.room.trim(),
    supervisor: input.supervisor.trim(),
  };
  const errors: Partial<Record<NewSessionField, string>> = {};
  if (session.date === '') errors.date = 'Indiquez la date de la session.';
  else if (!isValidDate(session.date)) errors.date = 'La date doit être une date du calendrier au format AAAA-MM-JJ, par exemple 2026-12-01.';
  else if (session.date < parisDate(now)) errors.date = 'La date ne peut pas être passée : une session se prépare pour aujourd’hui ou un jour à venir.';

  if (session.startTime === '') errors.startTime = 'Indiquez l’heure de début.';
  else if (!isValidTime(session.startTime)) errors.startTime = 'L’heure de début doit être au format HH:MM, par exemple 09:30.';

  if (session.room === '') errors.room = 'Indiquez la salle.';
  else if (session.room.length > MAX_ROOM_LENGTH) errors.room = `Le nom de la salle ne doit pas dépasser ${MAX_ROOM_LENGTH} caractères.`;

  if (session.supervisor === '') errors.supervisor = 'Indiquez le nom du surveillant.';
  else if (session.supervisor.length > MAX_SUPERVISOR_LENGTH) {
    errors.supervisor = `Le nom du surveillant ne doit pas dépasser ${MAX_SUPERVISOR_LENGTH} caractères.`;
  }

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, session };
}
