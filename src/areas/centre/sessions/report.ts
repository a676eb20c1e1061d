import { formatCentreId } from '../../../domain/centre-id.js';
import { formatHour, formatLongDate, formatParisDateTime, formatShortDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import type { ExamSession } from '../../../services/exam/sessions.js';
import { momentOnSessionDay } from '../../../domain/paris-time.js';
import { presentIncidents } from './present.js';
import type { centreHeading, sessionReportCandidates } from './queries.js';
import type { sessionIncidents } from '../../../services/exam/incidents.js';

type Candidate = Awaited<ReturnType<typeof sessionReportCandidates>>[number];

/**
 * The session report (procès-verbal) as its document reads it: the centre, the session, each
 * candidate with the result and attestation number, every incident, and the supervisor's signature
 * box. The same data for its HTML preview and its PDF.
 */
export function sessionReport(
  centre: Awaited<ReturnType<typeof centreHeading>>,
  session: ExamSession,
  candidates: Candidate[],
  incidents: Awaited<ReturnType<typeof sessionIncidents>>,
  printedAt: Date,
) {
  return {
    title: `Procès-verbal de la session du ${formatShortDate(session.date)} — ${formatCentreId(centre.id)}`,
    centre: { name: centre.name, code: formatCentreId(centre.id), address: centre.address },
    session: {
      id: session.id,
      longDate: formatLongDate(session.date),
      startTime: formatHour(session.startTime),
      room: session.room,
      supervisor: session.supervisor,
      openedAt: session.openedAt ? momentOnSessionDay(session.openedAt, session.date) : '—',
      closedAt: session.closedAt ? momentOnSessionDay(session.closedAt, session.date) : 'non fermée',
    },
    candidates: candidates.map((c) => {
      const verdict = verdictOf({ finishedAt: c.finished_at, passed: c.passed, cancelledAt: c.cancelled_at });
      return {
        name: `${c.last_name.toLocaleUpperCase('fr-FR')} ${c.first_name}`,
        birthDate: formatShortDate(c.birth_date),
        profile: PROFILE_LABELS[c.profile],
        start: momentOnSessionDay(c.started_at, session.date),
        end: c.finished_at ? momentOnSessionDay(c.finished_at, session.date) : 'en cours',
        score: c.score === null ? '—' : `${c.score} / ${c.maximum}`,
        verdict: VERDICT_LABELS[verdict],
        attestation: c.attestation_number ? `${c.attestation_number}${c.attestation_cancelled_at ? ' (annulée)' : ''}` : '—',
      };
    }),
    counts: {
      candidates: candidates.length,
      passed: candidates.filter((c) => verdictOf({ finishedAt: c.finished_at, passed: c.passed, cancelledAt: c.cancelled_at }) === 'passed').length,
    },
    incidents: presentIncidents(incidents, session.date),
    printedAt: formatParisDateTime(printedAt.toISOString()),
  };
}
