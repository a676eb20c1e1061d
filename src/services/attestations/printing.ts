import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import type { AttestationFields, AttestationKind } from '../../domain/attestation.js';
import type { Acting } from '../audit.js';
import { PdfUnavailableError, withMetadata, type BrowserPool } from '../pdf/browser-pool.js';
import { PublicError } from '../public-error.js';
import { parisDate } from '../../domain/paris-time.js';
import { attestationPdf, attestationPdfMetadata, attestationsHtml, type DocumentContext } from './document.js';
import { fieldsOf, printAttestations, printRefusal, type PrintRefusal } from './lifecycle.js';
import { findRunningJobs, listSessionAttestations, type AttestationRow } from './queries.js';

/** Attestations per browser page: small enough to report progress, large enough to stay fast. */
export const JOB_CHUNK = 10;
/** A finished job's PDF is kept this long for its download, then deleted (the attestations stay reprintable). */
export const JOB_KEEP_MINUTES = 60;
/** Session prints of one centre preparing at once: the pool's queue is shared by every centre. */
export const JOBS_PER_CENTRE = 2;
/** A job still « running » after this long was cut short by a restart of the server. */
export const JOB_STALE_MINUTES = 15;

export type StartJobOutcome = { ok: true; jobId: string } | { ok: false; message: string };

/**
 * The PDF of one attestation. It is made first, then the attestation is frozen (first print), so
 * that a print that fails (no browser, a crash) leaves nothing recorded as printed; if someone else
 * froze it meanwhile, the PDF is made again from what was frozen.
 */
export async function printAttestationPdf(
  db: Kysely<Database>,
  clock: Clock,
  pool: BrowserPool,
  context: DocumentContext,
  row: AttestationRow,
  acting: Acting,
): Promise<{ ok: true; pdf: Buffer; fields: AttestationFields } | PrintRefusal> {
  const refusal = printRefusal(row);
  if (refusal) return refusal;
  const fields = fieldsOf(row, parisDate(clock.now()));
  const pdf = await attestationPdf(pool, fields, context);
  const printed = await printAttestations(db, clock, [row], acting);
  if (!printed.ok) return printed;
  const frozen = printed.fields[0]!;
  if (JSON.stringify(frozen) === JSON.stringify(fields)) return { ok: true, pdf, fields };
  return { ok: true, pdf: await attestationPdf(pool, frozen, context), fields: frozen };
}

/**
 * Prints a whole session's attestations of one kind as one PDF, in the background: the request
 * returns at once with the job's id, the job's page shows its progress (it refreshes itself, with or
 * without JavaScript) and then offers the PDF. As for one attestation, they are frozen (first
 * print) only once the PDF is made.
 */
export async function startSessionPrint(
  db: Kysely<Database>,
  clock: Clock,
  pool: BrowserPool,
  context: DocumentContext,
  input: { centreId: number; sessionId: number; kind: AttestationKind },
  acting: Acting,
): Promise<StartJobOutcome> {
  if (!pool.available) throw new PdfUnavailableError();
  const rows = await listSessionAttestations(db, input.centreId, input.sessionId, input.kind);
  if (rows.length === 0) {
    return {
      ok: false,
      message:
        input.kind === 'admis'
          ? 'Aucun candidat admis dans cette session : il n’y a pas d’attestation de compétences à imprimer.'
          : 'Aucun candidat non admis dans cette session : il n’y a pas d’attestation d’échec à imprimer.',
    };
  }
  const refusal = rows.map(printRefusal).find((r) => r !== null);
  if (refusal) return { ok: false, message: refusal.message };
  // A second click, or a colleague asking for the same PDF, follows the job already running. The
  // check and the new job are one transaction: two clicks landing on two instances make one job.
  const since = new Date(clock.now().getTime() - JOB_STALE_MINUTES * 60_000).toISOString();
  const decided = await transaction(db, async (trx): Promise<StartJobOutcome & { started?: boolean }> => {
    const running = await findRunningJobs(trx, input.centreId, since);
    const same = running.find((job) => job.exam_session_id === input.sessionId && job.kind === input.kind);
    if (same) return { ok: true, jobId: same.id };
    if (running.length >= JOBS_PER_CENTRE) {
      return {
        ok: false,
        message: `Le centre a déjà ${JOBS_PER_CENTRE} impressions de session en cours : attendez qu’elles se terminent, puis relancez celle-ci.`,
      };
    }
    const jobId = randomBytes(16).toString('base64url');
    await trx
      .insertInto('attestation_print_jobs')
      .values({
        id: jobId,
        centre_id: input.centreId,
        exam_session_id: input.sessionId,
        kind: input.kind,
        requested_by: acting.actor.accountId,
        status: 'running',
        total: rows.length,
        created_at: clock.now().toISOString(),
      })
      .execute();
    return { ok: true, jobId, started: true };
  });
  if (!decided.ok) return decided;
  if (decided.started) void runJob(db, clock, pool, context, decided.jobId, rows, { ...acting, sessionId: input.sessionId });
  return { ok: true, jobId: decided.jobId };
}

async function runJob(
  db: Kysely<Database>,
  clock: Clock,
  pool: BrowserPool,
  context: DocumentContext,
  jobId: string,
  rows: AttestationRow[],
  acting: Acting & { sessionId: number },
): Promise<void> {
  try {
    const today = parisDate(clock.now());
    const render = async (list: AttestationFields[], report: boolean) => {
      const parts: Uint8Array[] = [];
      for (let start = 0; start < list.length; start += JOB_CHUNK) {
        const chunk = list.slice(start, start + JOB_CHUNK);
        parts.push(await pool.renderPages(await attestationsHtml(chunk, context)));
        if (report)
          await db
            .updateTable('attestation_print_jobs')
            .set({ done: start + chunk.length })
            .where('id', '=', jobId)
            .execute();
      }
      return withMetadata(parts, attestationPdfMetadata(list));
    };
    const fields = rows.map((row) => fieldsOf(row, today));
    let pdf = await render(fields, true);
    const printed = await printAttestations(db, clock, rows, acting);
    if (!printed.ok) throw new PublicError(409, printed.message);
    if (JSON.stringify(printed.fields) !== JSON.stringify(fields)) pdf = await render(printed.fields, false);
    await db.updateTable('attestation_print_jobs').set({ status: 'done', pdf, finished_at: clock.now().toISOString() }).where('id', '=', jobId).execute();
  } catch (err) {
    const message = err instanceof PublicError ? err.message : 'La préparation du PDF a échoué. Réessayez ; si l’erreur persiste, prévenez l’assistance.';
    await db
      .updateTable('attestation_print_jobs')
      .set({ status: 'failed', error: message, finished_at: clock.now().toISOString() })
      .where('id', '=', jobId)
      .execute()
      .catch(() => undefined);
  }
}

/** Where a job stands as its page says it: a running job that outlived a restart is reported as failed. */
export function jobState(job: { status: 'running' | 'done' | 'failed'; created_at: string; error: string | null }, now: Date) {
  const stale = job.status === 'running' && now.getTime() - new Date(job.created_at).getTime() > JOB_STALE_MINUTES * 60_000;
  if (stale) return { status: 'failed' as const, error: 'La préparation a été interrompue (le serveur a redémarré). Relancez l’impression.' };
  return { status: job.status, error: job.error };
}

/**
 * Deletes the session prints older than JOB_KEEP_MINUTES, with their PDFs (personal data): run by the
 * deadline sweeper.
 */
export async function purgeOldJobs(db: Kysely<Database>, clock: Clock): Promise<void> {
  const before = new Date(clock.now().getTime() - JOB_KEEP_MINUTES * 60_000).toISOString();
  await db.deleteFrom('attestation_print_jobs').where('created_at', '<', before).execute();
}
