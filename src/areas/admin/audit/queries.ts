import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { formatCentreId } from '../../../domain/centre-id.js';
import { containsText, containsTextAnyCase } from '../../../db/like.js';
import type { Database } from '../../../db/schema.js';

/** What the administrator typed, read once: the text itself, the centre it names, the actions whose label holds it. */
export interface AuditFilter {
  text: string;
  /** The number of `centreXXXX` when the text is exactly a centre ID (any case). */
  centreNumber: number | null;
  /** Action codes whose French label contains the text. */
  actions: string[];
}

type AuditEb = ExpressionBuilder<Database, 'audit_log'>;

const idText = (column: string) => sql<string>`cast(${sql.ref(column)} as text)`;

/**
 * Every row about the centre, each kind found through the index on (target_type, target_id) and
 * the centre_id indexes of sessions, exams, batches and tokens: the centre itself (written
 * `centre0001`, or `1` by older code), its sessions (their creation, opening, closing, terminals,
 * printed attestations), its exams, batches of tokens, tokens and attestations; and, among the rows
 * about the accounts now attached to the centre, those whose details name it (a manager created for
 * it or attached to it). No step reads the whole log.
 */
function concernsCentre(eb: AuditEb, centre: number): Expression<SqlBool> {
  const rows = (type: string) => eb.selectFrom('audit_log').select('audit_log.id').where('audit_log.target_type', '=', type);
  const centreId = formatCentreId(centre);
  const ofCentre = rows('centre')
    .where('audit_log.target_id', 'in', [centreId, String(centre)])
    .unionAll(rows('session').where('audit_log.target_id', 'in', eb.selectFrom('exam_sessions').select(idText('id').as('id')).where('centre_id', '=', centre)))
    .unionAll(rows('examen').where('audit_log.target_id', 'in', eb.selectFrom('exams').select(idText('id').as('id')).where('centre_id', '=', centre)))
    .unionAll(
      rows('lot_jetons').where('audit_log.target_id', 'in', eb.selectFrom('token_batches').select(idText('id').as('id')).where('centre_id', '=', centre)),
    )
    .unionAll(rows('jeton').where('audit_log.target_id', 'in', eb.selectFrom('exam_tokens').select(idText('id').as('id')).where('centre_id', '=', centre)))
    .unionAll(
      rows('attestation').where(
        'audit_log.target_id',
        'in',
        eb.selectFrom('attestations as a').innerJoin('exams as e', 'e.id', 'a.exam_id').select('a.number').where('e.centre_id', '=', centre),
      ),
    )
    .unionAll(
      rows('compte')
        .where('audit_log.target_id', 'in', eb.selectFrom('account_centres').select(idText('account_id').as('id')).where('centre_id', '=', centre))
        .where((inner) =>
          inner.or([
            containsText('audit_log.details', `"${centreId}"`),
            containsText('audit_log.details', `"centre":${centre},`),
            containsText('audit_log.details', `"centre":${centre}}`),
          ]),
        ),
    );
  return eb('audit_log.id', 'in', ofCentre);
}

function matches(eb: AuditEb, filter: AuditFilter): Expression<SqlBool> {
  if (filter.centreNumber !== null) return concernsCentre(eb, filter.centreNumber);
  const terms: Expression<SqlBool>[] = [
    containsTextAnyCase('action', filter.text),
    containsTextAnyCase('actor_label', filter.text),
    containsTextAnyCase('target_id', filter.text),
  ];
  if (filter.actions.length > 0) terms.push(eb('action', 'in', filter.actions));
  return eb.or(terms);
}

/** A page of the audit log, newest first; `filter.text` empty: every row. */
export async function listAuditEntries(db: Kysely<Database>, filter: AuditFilter, offset: number, limit: number) {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.text) query = query.where((eb) => matches(eb, filter));
  return query.orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

/** The targets of a page, by kind: one query per kind present, whatever the number of rows. */
export interface AuditTargetIds {
  centres: number[];
  accounts: number[];
  questionnaires: number[];
  sessions: number[];
  exams: number[];
  tokens: number[];
  batches: number[];
  attestations: string[];
}

const centreName = (eb: ExpressionBuilder<Database, 'centres'>) => eb.ref('centres.name').as('centre_name');

export async function auditTargets(db: Kysely<Database>, ids: AuditTargetIds) {
  const none = Promise.resolve([]);
  const [centres, accounts, questionnaires, sessions, exams, tokens, batches, attestations] = await Promise.all([
    ids.centres.length ? db.selectFrom('centres').select(['id', 'name']).where('id', 'in', ids.centres).execute() : none,
    ids.accounts.length ? db.selectFrom('accounts').select(['id', 'email', 'role']).where('id', 'in', ids.accounts).execute() : none,
    ids.questionnaires.length
      ? db.selectFrom('questionnaires').select(['id', 'title', 'profile', 'version']).where('id', 'in', ids.questionnaires).execute()
      : none,
    ids.sessions.length
      ? db
          .selectFrom('exam_sessions as s')
          .innerJoin('centres', 'centres.id', 's.centre_id')
          .select(['s.id', 's.date', 's.start_time', 's.room', 's.centre_id', centreName])
          .where('s.id', 'in', ids.sessions)
          .execute()
      : none,
    ids.exams.length
      ? db
          .selectFrom('exams as e')
          .innerJoin('centres', 'centres.id', 'e.centre_id')
          .select(['e.id', 'e.first_name', 'e.last_name', 'e.centre_id', centreName])
          .where('e.id', 'in', ids.exams)
          .execute()
      : none,
    ids.tokens.length
      ? db
          .selectFrom('exam_tokens as t')
          .innerJoin('centres', 'centres.id', 't.centre_id')
          .select(['t.id', 't.batch_id', 't.centre_id', centreName])
          .where('t.id', 'in', ids.tokens)
          .execute()
      : none,
    ids.batches.length
      ? db
          .selectFrom('token_batches as b')
          .innerJoin('centres', 'centres.id', 'b.centre_id')
          .innerJoin('questionnaires as q', 'q.id', 'b.questionnaire_id')
          .select(['b.id', 'b.size', 'b.created_at', 'b.centre_id', 'q.profile', 'q.version', centreName])
          .where('b.id', 'in', ids.batches)
          .execute()
      : none,
    ids.attestations.length
      ? db
          .selectFrom('attestations as a')
          .innerJoin('exams as e', 'e.id', 'a.exam_id')
          .innerJoin('centres', 'centres.id', 'e.centre_id')
          .select(['a.number', 'e.first_name', 'e.last_name', 'e.centre_id', centreName])
          .where('a.number', 'in', ids.attestations)
          .execute()
      : none,
  ]);
  return { centres, accounts, questionnaires, sessions, exams, tokens, batches, attestations };
}

export type AuditTargetRows = Awaited<ReturnType<typeof auditTargets>>;
