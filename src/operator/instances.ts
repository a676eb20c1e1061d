import { hash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { parisWallClockText } from '../domain/paris-time.js';

/** How often a running instance says it is still there. */
export const HEARTBEAT_MS = 20_000;
/** A row not renewed for this long is an instance that ended without saying so (kill -9, a lost machine). */
export const STALE_AFTER_MS = 90_000;

/** What an instance signs and seals with, read from DATA_DIR or SESSION_SECRET. */
export interface InstanceSecrets {
  /** AttestationSigner.keyId: names the attestation key without revealing it. */
  signingKeyId: string;
  sessionSecret: string;
}

/** Another running instance of the same database uses other secrets: this one must not serve. */
export class InstanceMismatchError extends Error {
  override name = 'InstanceMismatchError';
}

export interface RunningInstance {
  /** Says this instance is still there (the heartbeat's work; tests call it on their own clock). */
  renew(): Promise<void>;
  /** Stops the heartbeat and removes this instance's row, at a clean shutdown. */
  leave(): Promise<void>;
}

/** Compared between instances instead of the secret, which never leaves the instance. */
export function sessionSecretDigest(secret: string): string {
  return hash('sha256', `qcm-aipr session secret\n${secret}`, 'base64url');
}

const seconds = (ms: number) => Math.round(ms / 1000);

function mismatch(mine: { signing_key_id: string; session_secret_digest: string }, row: Database['running_instances']): string | null {
  const seen = `l’instance ${row.host}, en service sur la même base (dernier signe de vie à ${parisWallClockText(new Date(row.seen_at))}, heure de Paris)`;
  const after = `Si elle est arrêtée, réessayez ${seconds(STALE_AFTER_MS)} s après son dernier signe de vie.`;
  if (row.signing_key_id !== mine.signing_key_id) {
    return (
      `la clé de signature des attestations de ce DATA_DIR (${mine.signing_key_id}) n’est pas celle de ${seen}, dont la clé est ${row.signing_key_id}. ` +
      `Toutes les instances d’une même base doivent partager le même dossier DATA_DIR : sinon une partie des attestations ` +
      `imprimées ne se vérifie pas avec la clé publiée. ${after}`
    );
  }
  if (row.session_secret_digest !== mine.session_secret_digest) {
    return (
      `le secret de session de cette instance n’est pas celui de ${seen}. Donnez à toutes les instances la même valeur de ` +
      `SESSION_SECRET (ou le même dossier DATA_DIR) : sinon les connexions échouent selon l’instance qui répond. ${after}`
    );
  }
  return null;
}

/**
 * Records this instance among those serving the database, after checking that every instance still
 * running signs and seals with the same secrets: two instances whose DATA_DIR differ would each
 * make a signing key and a session secret of their own, silently. Throws InstanceMismatchError
 * (French, for the operator) when they differ. The check and the insert are one serializable
 * transaction: of two instances with different secrets starting at once, the second sees the first.
 * A change of secrets is possible once every instance of the old ones has stopped.
 */
export async function joinInstances(
  db: Kysely<Database>,
  clock: Clock,
  secrets: InstanceSecrets,
  warn: (message: string, err?: unknown) => void,
): Promise<RunningInstance> {
  const id = randomUUID();
  const mine = { signing_key_id: secrets.signingKeyId, session_secret_digest: sessionSecretDigest(secrets.sessionSecret) };
  const host = `${hostname()} (pid ${process.pid})`;

  const enter = () =>
    transaction(db, async (trx) => {
      const now = clock.now();
      await trx
        .deleteFrom('running_instances')
        .where('seen_at', '<', new Date(now.getTime() - STALE_AFTER_MS).toISOString())
        .execute();
      for (const row of await trx.selectFrom('running_instances').selectAll().where('id', '!=', id).execute()) {
        const why = mismatch(mine, row);
        if (why) throw new InstanceMismatchError(why);
      }
      await trx
        .insertInto('running_instances')
        .values({ id, ...mine, host, started_at: now.toISOString(), seen_at: now.toISOString() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: now.toISOString() }))
        .execute();
    });

  await enter();

  let left = false;
  let renewing: Promise<void> | null = null;
  const renewNow = async () => {
    const renewed = await db.updateTable('running_instances').set({ seen_at: clock.now().toISOString() }).where('id', '=', id).executeTakeFirst();
    // Paused longer than STALE_AFTER_MS (a suspended machine): another instance removed the row.
    // Joining again checks the secrets of whoever started meanwhile.
    if (renewed.numUpdatedRows === 0n && !left) await enter();
  };
  // One renewal at a time, and none after leave(): a renewal under way when the row is removed would
  // otherwise find it gone and record the instance again.
  const renew = async () => {
    if (left) return;
    renewing ??= renewNow().finally(() => {
      renewing = null;
    });
    await renewing;
  };
  const timer = setInterval(() => {
    renew().catch((err: unknown) =>
      warn(err instanceof InstanceMismatchError ? `Instances incompatibles : ${err.message}` : 'the instance heartbeat failed', err),
    );
  }, HEARTBEAT_MS);
  timer.unref();

  return {
    renew,
    async leave() {
      left = true;
      clearInterval(timer);
      await renewing?.catch(() => undefined);
      await db.deleteFrom('running_instances').where('id', '=', id).execute();
    },
  };
}
