import { formatAdmissionCode } from '../../../domain/admission-code.js';
import { formatRemaining, remainingSeconds } from '../../../domain/exam-clock.js';
import { canClose, canOpen, effectiveStatus, isOpenForExams, SESSION_STATUS_LABELS } from '../../../domain/exam-session-rules.js';
import { formatHour, formatLongDate, formatParisDateTime, momentOnSessionDay, parisDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import type { ExamSession } from '../../../services/exam/sessions.js';
import type { sessionIncidents } from '../../../services/exam/incidents.js';
import type { sessionCandidates, sessionTerminals } from './queries.js';

type CandidateRow = Awaited<ReturnType<typeof sessionCandidates>>[number];
type TerminalRow = Awaited<ReturnType<typeof sessionTerminals>>[number];

/** How the room view names a terminal: by its number, which the terminal's entry form shows too. */
const terminalName = (id: number) => `n° ${id}`;

/** The code that admits terminals, while it does, and the terminals admitted so far. */
export function presentTerminals(session: ExamSession, rows: TerminalRow[], now: Date) {
  const codeValid = session.admissionCode !== null && session.admissionCodeExpiresAt !== null && session.admissionCodeExpiresAt > now.toISOString();
  return {
    code: codeValid ? formatAdmissionCode(session.admissionCode!) : null,
    codeUntil: codeValid ? formatHour(new Date(session.admissionCodeExpiresAt!)) : null,
    /** Sessions opened before codes existed have none: the page says so rather than « expired ». */
    codeDrawn: session.admissionCode !== null,
    terminals: rows.map((r) => ({
      id: r.id,
      name: terminalName(r.id),
      label: r.label,
      ip: r.ip,
      admittedAt: formatHour(new Date(r.admitted_at)),
      withdrawnAt: r.revoked_at ? formatHour(new Date(r.revoked_at)) : null,
      // A withdrawn terminal's exam was detached: it no longer runs there.
      exam: r.exam_id === null || r.revoked_at ? null : { id: r.exam_id, name: `${r.last_name} ${r.first_name}` },
    })),
  };
}

/** A session as the pages show it (its own page, the list, the dashboard): the status the rules give now, dates in French. */
export function presentSession(session: ExamSession, now: Date) {
  const status = effectiveStatus(session, now);
  const dayPassed = session.date < parisDate(now);
  const opening = canOpen(session, now);
  return {
    ...session,
    status,
    statusLabel: status === 'planned' && dayPassed ? 'Non ouverte (jour passé)' : SESSION_STATUS_LABELS[status],
    longDate: formatLongDate(session.date),
    startTimeText: formatHour(session.startTime),
    openForExams: isOpenForExams(session, now),
    canOpen: opening.ok,
    /** Why a planned session cannot be opened now (too early, or its day is over). */
    openRefusal: status === 'planned' && !opening.ok ? opening.message : null,
    canClose: canClose(session, now).ok,
    openedAtText: session.openedAt ? formatParisDateTime(session.openedAt) : null,
    closedAtText: session.closedAt ? formatParisDateTime(session.closedAt) : null,
  };
}

/** A candidate of the room as the session page shows it: how far along, or the result. */
function presentCandidate(row: CandidateRow, now: Date) {
  const verdict = verdictOf({ finishedAt: row.finished_at, passed: row.passed, cancelledAt: row.cancelled_at });
  const running = verdict === 'running';
  return {
    id: row.id,
    name: `${row.last_name} ${row.first_name}`,
    profileLabel: PROFILE_LABELS[row.profile],
    startedAt: formatHour(new Date(row.started_at)),
    running,
    progress: `${Number(row.answered)} / ${Number(row.questions)}`,
    // Paused, the time left stands where the pause stopped it.
    remaining: running ? formatRemaining(remainingSeconds(new Date(row.deadline_at), row.paused_at ? new Date(row.paused_at) : now)) : null,
    paused: running && row.paused_at !== null,
    extraMinutes: row.extra_minutes,
    finishedByDeadline: row.finish_reason === 'delai',
    score: running || row.score === null ? null : `${row.score} / ${row.maximum}`,
    terminal: row.admission_id === null ? null : terminalName(row.admission_id),
    resumes: Number(row.resumes),
    moves: Number(row.moves),
    verdict,
    verdictLabel: VERDICT_LABELS[verdict],
  };
}

/** The room: each candidate, and how many run, have finished, have passed, were cancelled. */
export function presentRoom(rows: CandidateRow[], now: Date) {
  const candidates = rows.map((row) => presentCandidate(row, now));
  return {
    candidates,
    running: candidates.filter((c) => c.verdict === 'running').length,
    finished: candidates.filter((c) => c.verdict !== 'running').length,
    passed: candidates.filter((c) => c.verdict === 'passed').length,
    cancelled: candidates.filter((c) => c.verdict === 'cancelled').length,
    paused: candidates.filter((c) => c.paused).length,
    updatedAt: formatHour(now),
  };
}

type IncidentRow = Awaited<ReturnType<typeof sessionIncidents>>[number];

const INCIDENT_KIND_LABELS = { note: 'Note', annulation: 'Examen annulé', pause: 'Pause', reprise: 'Reprise' } as const;

/** What happened in the room, in order: the hour (and the day, if not the session's), what, who, for whom. */
export function presentIncidents(rows: IncidentRow[], sessionDate: string) {
  return rows.map((r) => {
    return {
      id: r.id,
      when: momentOnSessionDay(r.at, sessionDate),
      kindLabel: INCIDENT_KIND_LABELS[r.kind],
      text: r.text,
      by: r.actor_label,
      candidate: r.exam_id === null ? null : { href: `/centre/examens/${r.exam_id}`, name: `${r.last_name ?? ''} ${r.first_name ?? ''}`.trim() },
    };
  });
}
