import { auditTargetTypeLabel } from '../../../domain/audit-labels.js';
import { formatCentreId, parseCentreId } from '../../../domain/centre-id.js';
import { roomInSentence } from '../../../domain/french.js';
import { formatHour, formatParisDateTime, formatShortDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import type { AuditTargetIds, AuditTargetRows } from './queries.js';
import { positiveInteger } from '../../../domain/whole-number.js';

/** A name the page shows, with the admin page it links to when there is one. */
export interface Named {
  text: string;
  href: string | null;
}

/** The « Cible » column: what the row is about and, for what belongs to a centre, that centre. */
export interface AuditTarget extends Named {
  centre: Named | null;
}

interface TargetRef {
  target_type: string | null;
  target_id: string | null;
}

/** A centre target is written `centre0001` (or `1` by older code). */
function centreNumberOf(targetId: string): number | null {
  return parseCentreId(targetId) ?? positiveInteger(targetId);
}

const NUMERIC_KINDS = {
  compte: 'accounts',
  questionnaire: 'questionnaires',
  session: 'sessions',
  examen: 'exams',
  jeton: 'tokens',
  lot_jetons: 'batches',
} as const satisfies Record<string, keyof AuditTargetIds>;

/** The targets of a page's rows, grouped by kind for one query each. */
export function targetIdsOf(rows: readonly TargetRef[]): AuditTargetIds {
  const ids: { [K in keyof AuditTargetIds]: Set<AuditTargetIds[K][number]> } = {
    centres: new Set(),
    accounts: new Set(),
    questionnaires: new Set(),
    sessions: new Set(),
    exams: new Set(),
    tokens: new Set(),
    batches: new Set(),
    attestations: new Set(),
  };
  for (const { target_type: type, target_id: id } of rows) {
    if (type === null || id === null) continue;
    if (type === 'centre') {
      const n = centreNumberOf(id);
      if (n !== null) ids.centres.add(n);
    } else if (type === 'attestation') {
      if (id !== '') ids.attestations.add(id);
    } else if (Object.hasOwn(NUMERIC_KINDS, type)) {
      const n = positiveInteger(id);
      if (n !== null) ids[NUMERIC_KINDS[type as keyof typeof NUMERIC_KINDS]].add(n);
    }
  }
  return {
    centres: [...ids.centres],
    accounts: [...ids.accounts],
    questionnaires: [...ids.questionnaires],
    sessions: [...ids.sessions],
    exams: [...ids.exams],
    tokens: [...ids.tokens],
    batches: [...ids.batches],
    attestations: [...ids.attestations],
  };
}

const centreLink = (id: number, name: string): Named => ({ text: `${name} (${formatCentreId(id)})`, href: `/admin/centres/${id}` });

const candidate = (row: { first_name: string; last_name: string }) => `${row.first_name} ${row.last_name}`;

/** Names the targets of a page from what auditTargets read; a target no longer found keeps its kind and id. */
export function targetNamer(found: AuditTargetRows): (row: TargetRef) => AuditTarget | null {
  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const centres = byId(found.centres);
  const accounts = byId(found.accounts);
  const questionnaires = byId(found.questionnaires);
  const sessions = byId(found.sessions);
  const exams = byId(found.exams);
  const tokens = byId(found.tokens);
  const batches = byId(found.batches);
  const attestations = new Map(found.attestations.map((r) => [r.number, r]));

  function name(type: string, id: string): AuditTarget | null {
    const n = positiveInteger(id);
    switch (type) {
      case 'centre': {
        const number = centreNumberOf(id);
        const centre = number === null ? undefined : centres.get(number);
        return centre ? { ...centreLink(centre.id, centre.name), centre: null } : null;
      }
      case 'compte': {
        const account = n === null ? undefined : accounts.get(n);
        if (!account) return null;
        return account.role === 'manager'
          ? { text: account.email, href: `/admin/gestionnaires/${account.id}`, centre: null }
          : { text: `${account.email} (administration)`, href: null, centre: null };
      }
      case 'questionnaire': {
        const q = n === null ? undefined : questionnaires.get(n);
        return q ? { text: `${q.title} (${PROFILE_LABELS[q.profile]}, version ${q.version})`, href: `/admin/questionnaires/${q.id}`, centre: null } : null;
      }
      case 'session': {
        const s = n === null ? undefined : sessions.get(n);
        return s
          ? {
              text: `Session du ${formatShortDate(s.date)} à ${formatHour(s.start_time)}, ${roomInSentence(s.room)}`,
              href: null,
              centre: centreLink(s.centre_id, s.centre_name),
            }
          : null;
      }
      case 'examen': {
        const e = n === null ? undefined : exams.get(n);
        return e ? { text: `Examen de ${candidate(e)}`, href: null, centre: centreLink(e.centre_id, e.centre_name) } : null;
      }
      case 'jeton': {
        const t = n === null ? undefined : tokens.get(n);
        return t ? { text: `Jeton n° ${t.id} du lot n° ${t.batch_id}`, href: null, centre: centreLink(t.centre_id, t.centre_name) } : null;
      }
      case 'lot_jetons': {
        const b = n === null ? undefined : batches.get(n);
        return b
          ? {
              text: `Lot n° ${b.id} de ${b.size} jeton${b.size > 1 ? 's' : ''} ${PROFILE_LABELS[b.profile]} (version ${b.version}), du ${formatParisDateTime(b.created_at)}`,
              href: null,
              centre: centreLink(b.centre_id, b.centre_name),
            }
          : null;
      }
      case 'attestation': {
        const a = attestations.get(id);
        return a
          ? {
              text: `Attestation ${a.number} de ${candidate(a)}`,
              href: `/admin/attestations/${encodeURIComponent(a.number)}`,
              centre: centreLink(a.centre_id, a.centre_name),
            }
          : null;
      }
      default:
        return null;
    }
  }

  return ({ target_type: type, target_id: id }) => {
    if (type === null) return null;
    return name(type, id ?? '') ?? { text: `${auditTargetTypeLabel(type)} ${id ?? ''}`.trim(), href: null, centre: null };
  };
}
