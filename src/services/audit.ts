import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { transaction } from '../db/transaction.js';

/** Who acts, as the audit log keeps it: an account, or the system, the CLI, an anonymous visitor; and from which address. */
export interface Actor {
  accountId: number | null;
  /** Shown in the log even after the account changes: an email, « système », « CLI », « anonyme ». */
  label: string;
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = { accountId: null, label: 'système' };
export const CLI_ACTOR: Actor = { accountId: null, label: 'CLI' };

/** What every lifecycle function is told about who asks for the change. */
export interface Acting {
  actor: Actor;
}

export interface AuditEvent {
  /** A dotted verb, e.g. `connexion.reussie`, `centre.suspendu`, `questionnaire.publie`. */
  action: string;
  actor: Actor;
  target?: { type: string; id: string | number } | null;
  details?: Record<string, unknown> | null;
}

/**
 * The one way to write the audit log: who did what to what, and when. Pass the transaction of the
 * change itself where there is one, so that the change and its record land together.
 */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, clock: Clock, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: clock.now().toISOString(),
      actor_account_id: event.actor.accountId,
      actor_label: event.actor.label,
      action: event.action,
      target_type: event.target?.type ?? null,
      target_id: event.target ? String(event.target.id) : null,
      details: event.details ? JSON.stringify(event.details) : null,
      ip: event.actor.ip ?? null,
    })
    .execute();
}

/**
 * Like recordAudit, for an event an attacker can repeat at will (a failed sign-in, a wrong birth
 * date): the same action by the same actor label, from the same address, on the same target,
 * within `windowMs` of the row's first occurrence, adds to that row — `details.tentatives` counts
 * the occurrences and `details.derniere` dates the last — instead of adding a row. The journal then
 * grows by a row per window, not a row per try.
 */
export async function recordRepeatedAudit(db: Kysely<Database> | Transaction<Database>, clock: Clock, event: AuditEvent, windowMs: number): Promise<void> {
  // Read, then add to the row: in a transaction of its own when the caller has none, or two
  // instances counting the same attempt at once would keep one of the two counts.
  if (!db.isTransaction) return transaction(db, (trx) => recordRepeatedAudit(trx, clock, event, windowMs));
  const now = clock.now();
  // No address (null or empty) is written `is null`: PostgreSQL takes no parameter after IS.
  const ip = event.actor.ip || null;
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'details'])
    .where('at', '>=', new Date(now.getTime() - windowMs).toISOString())
    .where('action', '=', event.action)
    .where('actor_label', '=', event.actor.label)
    .where((eb) => (ip === null ? eb('ip', 'is', null) : eb('ip', '=', ip)));
  query = event.target
    ? query.where('target_type', '=', event.target.type).where('target_id', '=', String(event.target.id))
    : query.where('target_type', 'is', null);
  const earlier = await query.orderBy('id', 'desc').executeTakeFirst();
  if (!earlier) {
    await recordAudit(db, clock, { ...event, details: { ...event.details, tentatives: 1 } });
    return;
  }
  const previous = JSON.parse(earlier.details ?? '{}') as { tentatives?: number };
  const details = { ...previous, ...event.details, tentatives: (previous.tentatives ?? 1) + 1, derniere: now.toISOString() };
  await db
    .updateTable('audit_log')
    .set({ details: JSON.stringify(details) })
    .where('id', '=', earlier.id)
    .execute();
}

/** The actor of a request: the signed-in account, or anonymous; with the request's address. */
export function requestActor(request: FastifyRequest): Actor {
  return request.account
    ? { accountId: request.account.id, label: request.account.email, ip: request.ip }
    : { accountId: null, label: 'anonyme', ip: request.ip };
}
