import { liftSignInThrottles } from './sign-in-throttle.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Role } from '../../db/schema.js';
import { recordAudit } from '../audit.js';
import { transaction } from '../../db/transaction.js';

export type LinkPurpose = 'activation' | 'reset';

export const LINK_LIFETIME_HOURS = 48;
const LINK_LIFETIME_MS = LINK_LIFETIME_HOURS * 60 * 60 * 1000;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * A one-time link to set one's password, written in the caller's transaction (with the change it
 * belongs to and its audit row). Only its hash is stored; a new link for the same account and
 * purpose ends the previous ones of that purpose (a reset asked by anyone does not cancel the
 * activation link an administrator just sent).
 */
export async function writeAccountLink(trx: Transaction<Database>, now: Date, accountId: number, purpose: LinkPurpose): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await trx
    .updateTable('account_links')
    .set({ used_at: now.toISOString() })
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
  await trx
    .insertInto('account_links')
    .values({
      token_hash: hashOf(secret),
      account_id: accountId,
      purpose,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + LINK_LIFETIME_MS).toISOString(),
    })
    .execute();
  return secret;
}

export interface UsableLink {
  accountId: number;
  role: Role;
  purpose: LinkPurpose;
  email: string;
  displayName: string;
}

/** The link's account when the link exists, is unused and has not expired; otherwise null. */
export async function findUsableLink(db: Kysely<Database>, clock: Clock, secret: string): Promise<UsableLink | null> {
  const row = await db
    .selectFrom('account_links as l')
    .innerJoin('accounts as a', 'a.id', 'l.account_id')
    .select(['l.account_id', 'l.purpose', 'l.expires_at', 'l.used_at', 'a.email', 'a.display_name', 'a.disabled_at', 'a.role'])
    .where('l.token_hash', '=', hashOf(secret))
    .executeTakeFirst();
  if (!row || row.used_at || row.disabled_at || row.expires_at <= clock.now().toISOString()) return null;
  return { accountId: row.account_id, role: row.role, purpose: row.purpose, email: row.email, displayName: row.display_name };
}

/**
 * Marks the link used, sets the password and records it, in one transaction; null when someone
 * used the link first (the UPDATE … WHERE used_at IS NULL decides who).
 */
export async function consumeLinkAndSetPassword(
  db: Kysely<Database>,
  clock: Clock,
  input: { secret: string; passwordHash: string; link: UsableLink; ip: string },
): Promise<number | null> {
  const { secret, passwordHash } = input;
  const now = clock.now().toISOString();
  return transaction(db, async (trx) => {
    const link = await trx
      .updateTable('account_links')
      .set({ used_at: now })
      .where('token_hash', '=', hashOf(secret))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('account_id')
      .executeTakeFirst();
    if (!link) return null;
    await trx.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', link.account_id).execute();
    // Whoever set the password through the link holds the mailbox: the account's sign-in slow-downs end.
    await liftSignInThrottles(trx, input.link.email);
    // The password is chosen: no other link of this account (an activation link sent earlier, a
    // reset asked meanwhile) may set another one.
    await trx.updateTable('account_links').set({ used_at: now }).where('account_id', '=', link.account_id).where('used_at', 'is', null).execute();
    await recordAudit(trx, clock, {
      action: input.link.purpose === 'activation' ? 'compte.active' : 'compte.mot_de_passe_reinitialise',
      actor: { accountId: link.account_id, label: input.link.email, ip: input.ip },
      target: { type: 'compte', id: link.account_id },
    });
    return link.account_id;
  });
}

export function linkUrl(publicUrl: string, secret: string): string {
  return `${publicUrl}/compte/mot-de-passe/${secret}`;
}
