import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import type { Clock } from '../../clock.js';
import type { Database, Queryable } from '../../db/schema.js';
import { generateRecoveryCodes, readTypedCode, TOTP_ISSUER, TOTP_PERIOD_SECONDS, TOTP_TOLERANCE_SECONDS } from '../../domain/second-factor.js';
import { SECOND_FACTOR_POLICY } from '../../domain/throttle.js';
import { recordAudit, recordRepeatedAudit, type Acting } from '../audit.js';
import { credentialOf } from './passwords.js';
import { clearThrottle, countFailure, latestLock } from '../throttle-store.js';
import { transaction } from '../../db/transaction.js';

const hashCode = (code: string) => createHash('sha256').update(code).digest('base64url');
const epochOf = (clock: Clock) => Math.floor(clock.now().getTime() / 1000);

const secondFactorKey = (accountId: number) => `second-facteur:${accountId}`;
/** Wrong codes of one account make one journal row an hour, as failed passwords do. */
const FAILED_CODE_AGGREGATION_MS = 60 * 60_000;

/** A new secret for an authenticator app (160 bits, base32), drawn at the start of an enrolment. */
export function newTotpSecret(): string {
  return generateSecret();
}

/** The `otpauth://` address an authenticator app reads from the QR code. */
export function enrolmentUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

export function enrolmentQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The code an app shows at `clock`'s time: what the tests type. */
export function currentTotp(secret: string, clock: Clock): string {
  return generateSync({ secret, epoch: epochOf(clock) });
}

/** The time step of a right code (within one step either side), or null. Codes of steps up to `afterStep` are refused. */
function matchingStep(secret: string, code: string, clock: Clock, afterStep: number | null): number | null {
  // A server clock set back (an NTP correction) leaves the last step used ahead of every step in
  // the window: no code can be new then, and the library would throw rather than say no.
  const lastInWindow = Math.floor((epochOf(clock) + TOTP_TOLERANCE_SECONDS) / TOTP_PERIOD_SECONDS);
  if (afterStep !== null && afterStep >= lastInWindow) return null;
  const result = verifySync({
    secret,
    token: code,
    epoch: epochOf(clock),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOTP_TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

export interface SecondFactorStatus {
  enabledAt: string | null;
  unusedRecoveryCodes: number;
}

export async function secondFactorStatus(db: Queryable, accountId: number): Promise<SecondFactorStatus> {
  const account = await db.selectFrom('accounts').select('totp_enabled_at').where('id', '=', accountId).executeTakeFirstOrThrow();
  const codes = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { enabledAt: account.totp_enabled_at, unusedRecoveryCodes: Number(codes.n) };
}

async function replaceRecoveryCodes(db: Queryable, clock: Clock, accountId: number): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await db.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  const now = clock.now().toISOString();
  await db
    .insertInto('recovery_codes')
    .values(codes.map((code) => ({ account_id: accountId, code_hash: hashCode(code), created_at: now })))
    .execute();
  return codes;
}

/** Whether the code typed is one the app holding `secret` shows now: checked before anything else is claimed. */
export function matchesEnrolment(secret: string, typed: string, clock: Clock): boolean {
  const code = readTypedCode(typed);
  return code?.kind === 'totp' && matchingStep(secret, code.code, clock, null) !== null;
}

/**
 * Ends an enrolment: the code typed proves the app holds `secret`. The account's second factor is
 * then this secret (replacing any previous one) with ten new recovery codes, returned to be shown
 * once. Null when the code is wrong.
 */
export async function enableSecondFactor(
  db: Kysely<Database>,
  clock: Clock,
  input: { accountId: number; secret: string; typed: string },
  { actor }: Acting,
): Promise<{ codes: string[]; credential: string } | null> {
  const typed = readTypedCode(input.typed);
  if (typed?.kind !== 'totp') return null;
  const step = matchingStep(input.secret, typed.code, clock, null);
  if (step === null) return null;
  return transaction(db, async (trx) => {
    const before = await trx.selectFrom('accounts').select(['totp_enabled_at', 'password_hash']).where('id', '=', input.accountId).executeTakeFirstOrThrow();
    const since = clock.now().toISOString();
    await trx
      .updateTable('accounts')
      .set({ totp_secret: input.secret, totp_enabled_at: since, totp_last_step: step })
      .where('id', '=', input.accountId)
      .execute();
    const codes = await replaceRecoveryCodes(trx, clock, input.accountId);
    await recordAudit(trx, clock, {
      action: before.totp_enabled_at ? 'compte.double_facteur_remplace' : 'compte.double_facteur_active',
      actor,
      target: { type: 'compte', id: input.accountId },
    });
    return { codes, credential: credentialOf(before.password_hash ?? '', since) };
  });
}

export type CodeCheck =
  | { ok: true; method: 'totp' | 'recovery'; unusedRecoveryCodes: number }
  | { ok: false; reason: 'invalid' }
  /** `alert`: this very failure locked the code step, and the administrators are to be told. */
  | { ok: false; reason: 'locked'; until: Date; alert: boolean };

/**
 * Checks the code typed for an account that has a second factor: a code of the app (each step's
 * code works once, even under concurrent requests: the step is claimed by a conditional update) or
 * an unused recovery code (used up by the same kind of update). Failures are counted and journalled.
 */
export async function checkSecondFactor(
  db: Kysely<Database>,
  clock: Clock,
  input: { accountId: number; typed: string },
  { actor }: Acting,
): Promise<CodeCheck> {
  const now = clock.now();
  const key = secondFactorKey(input.accountId);
  const typed = readTypedCode(input.typed);
  return transaction(
    db,
    async (trx): Promise<CodeCheck> => {
      // A write first, on the account's row: checks of one account then run one after the other
      // (SQLite's write lock; PostgreSQL's row lock, below), so that codes sent together meet the lock that
      // the failures before them set, instead of all being tried at once.
      await trx
        .updateTable('accounts')
        .set((eb) => ({ totp_last_step: eb.ref('totp_last_step') }))
        .where('id', '=', input.accountId)
        .execute();
      const lock = await latestLock(trx, [key], now);
      if (lock) return { ok: false, reason: 'locked', until: lock, alert: false };

      const account = await trx.selectFrom('accounts').select(['totp_secret', 'totp_last_step']).where('id', '=', input.accountId).executeTakeFirst();
      let method: 'totp' | 'recovery' | null = null;
      if (account?.totp_secret && typed?.kind === 'totp') {
        const step = matchingStep(account.totp_secret, typed.code, clock, account.totp_last_step);
        if (step !== null) {
          const claimed = await trx
            .updateTable('accounts')
            .set({ totp_last_step: step })
            .where('id', '=', input.accountId)
            .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) === 1) method = 'totp';
        }
      } else if (account?.totp_secret && typed?.kind === 'recovery') {
        const used = await trx
          .updateTable('recovery_codes')
          .set({ used_at: now.toISOString() })
          .where('account_id', '=', input.accountId)
          .where('code_hash', '=', hashCode(typed.code))
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) === 1) method = 'recovery';
      }

      if (method) {
        await clearThrottle(trx, key);
        const { unusedRecoveryCodes } = await secondFactorStatus(trx, input.accountId);
        if (method === 'recovery') {
          await recordAudit(trx, clock, {
            action: 'compte.code_de_secours_utilise',
            actor,
            target: { type: 'compte', id: input.accountId },
            details: { codes_restants: unusedRecoveryCodes },
          });
        }
        return { ok: true, method, unusedRecoveryCodes };
      }

      await countFailure(trx, key, now, SECOND_FACTOR_POLICY);
      await recordRepeatedAudit(
        trx,
        clock,
        { action: 'connexion.echouee', actor, target: { type: 'compte', id: input.accountId }, details: { motif: 'code de vérification incorrect' } },
        FAILED_CODE_AGGREGATION_MS,
      );
      const until = await latestLock(trx, [key], now);
      if (!until) return { ok: false, reason: 'invalid' };
      await recordAudit(trx, clock, {
        action: 'compte.attaque_suspectee',
        actor,
        target: { type: 'compte', id: input.accountId },
        details: { motif: 'codes de vérification incorrects', echecs: SECOND_FACTOR_POLICY.maxFailures },
      });
      return { ok: false, reason: 'locked', until, alert: true };
    },
    // Read committed: once the row lock is ours, each read sees what the checks before committed
    // (serializable would refuse them all but one and run them again, a burst of sixty at once).
    { isolation: 'read committed' },
  );
}

/** Ten new recovery codes, the old ones void; the caller has just checked a code of the account. */
export async function renewRecoveryCodes(db: Kysely<Database>, clock: Clock, accountId: number, { actor }: Acting): Promise<string[]> {
  return transaction(db, async (trx) => {
    const codes = await replaceRecoveryCodes(trx, clock, accountId);
    await recordAudit(trx, clock, { action: 'compte.codes_de_secours_renouveles', actor, target: { type: 'compte', id: accountId } });
    return codes;
  });
}

/**
 * Removes the account's second factor: by its owner (a manager, after a code) or, for someone who
 * lost the phone and the codes, by an administrator or the server's operator. An administrator
 * is asked to enrol again at the next page. Every sign-in of the account ends with it (credentialOf);
 * the new credential is returned (null when there was nothing to remove), for its owner's session.
 */
export async function removeSecondFactor(db: Kysely<Database>, clock: Clock, accountId: number, { actor }: Acting): Promise<string | null> {
  return transaction(db, async (trx) => {
    const result = await trx
      .updateTable('accounts')
      .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
      .where('id', '=', accountId)
      .where('totp_enabled_at', 'is not', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return null;
    await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
    await clearThrottle(trx, secondFactorKey(accountId));
    await recordAudit(trx, clock, { action: 'compte.double_facteur_retire', actor, target: { type: 'compte', id: accountId } });
    const { password_hash } = await trx.selectFrom('accounts').select('password_hash').where('id', '=', accountId).executeTakeFirstOrThrow();
    return credentialOf(password_hash ?? '', null);
  });
}
