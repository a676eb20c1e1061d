import { formatCentreId } from '../../../domain/centre-id.js';
import type { CentreStatus } from '../../../domain/statuses.js';
import { containsText, containsTextAnyCase } from '../../../db/like.js';
import type { Queryable } from '../../../db/schema.js';

export interface CentreFields {
  name: string;
  address: string;
  siret: string;
  contact_email: string;
}

export interface CentreListItem {
  id: number;
  name: string;
  status: CentreStatus;
  examsThisYear: number;
  tokensAvailable: number;
}

/** Centres with their activity; `search` matches the name, the SIRET or the `centreXXXX` number. */
export async function listCentres(db: Queryable, search: { text: string; centreNumber: number | null }, yearStart: string): Promise<CentreListItem[]> {
  let query = db
    .selectFrom('centres as c')
    .select((eb) => [
      'c.id',
      'c.name',
      'c.status',
      eb
        .selectFrom('exam_tokens as t')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('t.centre_id', '=', 'c.id')
        .where('t.status', '=', 'used')
        .where('t.used_at', '>=', yearStart)
        .as('exams_this_year'),
      eb
        .selectFrom('exam_tokens as t')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('t.centre_id', '=', 'c.id')
        .where('t.status', '=', 'available')
        .as('tokens_available'),
    ])
    .orderBy('c.id');
  if (search.text) {
    // % and _ are searched as typed, not as wildcards; a SIRET is searched without its spaces.
    const compact = search.text.replace(/\s+/g, '');
    query = query.where((eb) =>
      eb.or([
        containsTextAnyCase('c.name', search.text),
        containsTextAnyCase('c.address', search.text),
        ...(compact ? [containsText('c.siret', compact)] : []),
        ...(search.centreNumber !== null ? [eb('c.id', '=', search.centreNumber)] : []),
      ]),
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    examsThisYear: Number(r.exams_this_year ?? 0),
    tokensAvailable: Number(r.tokens_available ?? 0),
  }));
}

export function getCentre(db: Queryable, id: number) {
  return db.selectFrom('centres').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Who suspended the centre and when: the journal's latest suspension of it. */
export function latestSuspension(db: Queryable, centreId: number) {
  return db
    .selectFrom('audit_log')
    .select(['at', 'actor_label'])
    .where('action', '=', 'centre.suspendu')
    .where('target_type', '=', 'centre')
    .where('target_id', '=', formatCentreId(centreId))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** What a suspension would leave running: exams started and not finished, sessions open. */
export async function centreActivity(db: Queryable, centreId: number): Promise<{ runningExams: number; openSessions: number }> {
  const exams = await db
    .selectFrom('exams as e')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('s.centre_id', '=', centreId)
    .where('e.finished_at', 'is', null)
    .executeTakeFirstOrThrow();
  const sessions = await db
    .selectFrom('exam_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('centre_id', '=', centreId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return { runningExams: Number(exams.n), openSessions: Number(sessions.n) };
}

export function centreManagers(db: Queryable, centreId: number) {
  return db
    .selectFrom('accounts as a')
    .innerJoin('account_centres as ac', 'ac.account_id', 'a.id')
    .select(['a.id', 'a.email', 'a.display_name', 'a.disabled_at', 'a.password_hash'])
    .where('ac.centre_id', '=', centreId)
    .orderBy('a.display_name')
    .execute();
}

export function allCentresBrief(db: Queryable) {
  return db.selectFrom('centres').select(['id', 'name', 'status']).orderBy('id').execute();
}

/** A centre as a message names it: its number (shown as `centreXXXX`) and its name. */
export interface CentreBrief {
  id: number;
  name: string;
}

/**
 * The other centres already known by this SIRET (14 digits: the form stores it normalised), by
 * number. None when an edited centre keeps its own SIRET, even one it shares on purpose with another
 * site of the same company: only a new or changed SIRET is checked.
 */
export async function otherCentresWithSiret(db: Queryable, siret: string, edited: { id: number; siret: string } | null): Promise<CentreBrief[]> {
  if (edited && edited.siret === siret) return [];
  let query = db.selectFrom('centres').select(['id', 'name']).where('siret', '=', siret);
  if (edited) query = query.where('id', '!=', edited.id);
  return query.orderBy('id').execute();
}
