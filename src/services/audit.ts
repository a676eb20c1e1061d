import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

export interface AuditEvent {
  /** A dotted verb, e.g. `connexion.reussie`, `centre.suspendu`, `questionnaire.publie`. */
  action: string;
  actor: { accountId: number | null; label: string };
  target?: { type: string; id: string | number } | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
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
      ip: event.ip ?? null,
    })
    .execute();
}

/** The actor of a request: the signed-in account, or anonymous. */
export function requestActor(request: FastifyRequest): AuditEvent['actor'] {
  return request.account
    ? { accountId: request.account.id, label: request.account.email }
    : { accountId: null, label: 'anonyme' };
}
