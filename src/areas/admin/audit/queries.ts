import type { Kysely } from 'kysely';
import { containsText } from '../../../db/like.js';
import type { Database } from '../../../db/schema.js';

/** A page of the audit log, newest first; `filter` is searched in the action, the actor and the target. */
export async function listAuditEntries(db: Kysely<Database>, filter: string, offset: number, limit: number) {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter) {
    query = query.where((eb) => eb.or([containsText('action', filter), containsText('actor_label', filter), containsText('target_id', filter)]));
  }
  return query.orderBy('id', 'desc').limit(limit).offset(offset).execute();
}
