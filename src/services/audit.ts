import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

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

/** The actor of a request: the signed-in account, or anonymous; with the request's address. */
export function requestActor(request: FastifyRequest): Actor {
  return request.account
    ? { accountId: request.account.id, label: request.account.email, ip: request.ip }
    : { accountId: null, label: 'anonyme', ip: request.ip };
}
