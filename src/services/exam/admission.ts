import { stillRunning } from './running.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Queryable } from '../../db/schema.js';
import { addressPrefix } from '../../domain/address-prefix.js';
import { admissionCodeExpiry, generateAdmissionCode, normalizeAdmissionCode, RESUME_LEAVE_MS } from '../../domain/admission-code.js';
import { parseCentreId } from '../../domain/centre-id.js';
import { parisDate, parisEndOfDay } from '../../domain/paris-time.js';
import { KIOSK_ROOM_POLICY, retryMessage } from '../../domain/throttle.js';
import { recordAudit, type Acting, type Actor } from '../audit.js';
import { countFailure, latestLock } from '../throttle-store.js';
import { transaction } from '../../db/transaction.js';
import { positiveInteger } from '../../domain/whole-number.js';

/**
 * Exams are bound to the room: a terminal is admitted to one exam session by the code the room
 * view shows (typed once by the supervisor), and only an admitted terminal may start an exam of
 * that session or take one over. The terminal keeps its admission in a cookie of its own, which
 * outlives the browser's session cookie (a tablet that reboots is still admitted).
 */
export const TERMINAL_COOKIE = 'qcm_poste';

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** Who acts on the kiosk: nobody signed in, known by the terminal's address. */
export function kioskActor(label: 'candidat' | 'surveillant (code de session)', ip: string | null): Actor {
  return { accountId: null, label, ip };
}

/** The throttle key of kiosk failures: the address prefix, within the centre typed (or none). */
function kioskThrottleKey(ip: string, centreId: number | null): string {
  return `kiosque:${centreId ?? '-'}:${addressPrefix(ip)}`;
}

/**
 * Counts a failure of the kiosk (a wrong code, token or birth date) against the (address prefix,
 * centre) pair; returns the retry sentence when the pair is locked, else null. For tokens and birth
 * dates it is called only after the check failed, so that a right one always passes.
 */
export async function kioskFailure(db: Kysely<Database>, ip: string, centreId: number | null, now: Date): Promise<string | null> {
  const key = kioskThrottleKey(ip, centreId);
  // One transaction: simultaneous failures of a room are all counted (read and write are not split).
  // Read committed: countFailure locks the room's counter row, so the failures of a whole room at
  // once wait for each other instead of failing and running again, as serializable would have them.
  const until = await transaction(
    db,
    async (trx) => {
      const locked = await latestLock(trx, [key], now);
      if (locked) return locked;
      await countFailure(trx, key, now, KIOSK_ROOM_POLICY);
      return latestLock(trx, [key], now);
    },
    { isolation: 'read committed' },
  );
  return until ? `Trop de tentatives infructueuses depuis cette salle. ${retryMessage(until, now)}` : null;
}

/**
 * Draws a new admission code for the session (at its opening, or when the supervisor asks): the
 * old one stops admitting; terminals already admitted stay so.
 */
export async function renewAdmissionCode(db: Queryable, clock: Clock, sessionId: number): Promise<void> {
  const now = clock.now();
  await db
    .updateTable('exam_sessions')
    .set({ admission_code: generateAdmissionCode(), admission_code_expires_at: admissionCodeExpiry(now).toISOString() })
    .where('id', '=', sessionId)
    .execute();
}

export interface TerminalAdmission {
  id: number;
  sessionId: number;
  centreId: number;
  label: string | null;
  sessionDate: string;
  startTime: string;
  room: string;
  expiresAt: string;
}

export type AdmitOutcome = { ok: true; admission: TerminalAdmission; cookie: string } | { ok: false; message: string; status: 400 | 429 };

/**
 * One message for every refusal, so that the form tells an outsider nothing: neither whether the
 * centre exists nor whether it is in session right now.
 */
export const ADMISSION_REFUSED =
  'Ce code ne permet d’admettre aucun poste dans ce centre. Vérifiez l’identifiant du centre et le code de session affiché sur la page de la session (chaque code est valable une heure).';

/**
 * The supervisor typed the centre ID and the session code on a terminal: the terminal is admitted
 * to that session (open, today, in an active centre, code not expired) until the end of its day.
 */
export async function admitTerminal(
  db: Kysely<Database>,
  clock: Clock,
  input: { centre: string; code: string; label: string; ip: string; userAgent: string },
): Promise<AdmitOutcome> {
  const now = clock.now();
  const centreId = parseCentreId(input.centre);
  // Unlike tokens, a locked pair's codes are not even looked at: 40 bits are guessable at the
  // server's pace, and only the attacker's own (address prefix, centre) pair is locked.
  const locked = await latestLock(db, [kioskThrottleKey(input.ip, centreId)], now);
  if (locked)
    return { ok: false, message: `${ADMISSION_REFUSED} Trop de tentatives infructueuses depuis cette salle. ${retryMessage(locked, now)}`, status: 429 };
  const code = normalizeAdmissionCode(input.code);
  const session =
    centreId === null || code === null
      ? undefined
      : await db
          .selectFrom('exam_sessions as s')
          .innerJoin('centres as c', 'c.id', 's.centre_id')
          .select(['s.id', 's.centre_id', 's.date', 's.start_time', 's.room'])
          .where('s.centre_id', '=', centreId)
          .where('c.status', '=', 'active')
          .where('s.status', '=', 'open')
          .where('s.date', '=', parisDate(now))
          .where('s.admission_code', '=', code)
          .where('s.admission_code_expires_at', '>', now.toISOString())
          .executeTakeFirst();
  if (!session) {
    const locked = await kioskFailure(db, input.ip, centreId, now);
    return locked ? { ok: false, message: `${ADMISSION_REFUSED} ${locked}`, status: 429 } : { ok: false, message: ADMISSION_REFUSED, status: 400 };
  }
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = parisEndOfDay(session.date).toISOString();
  const label = input.label || null;
  const id = await transaction(db, async (trx) => {
    const row = await trx
      .insertInto('terminal_admissions')
      .values({
        exam_session_id: session.id,
        secret_hash: hashSecret(secret),
        label,
        ip: input.ip,
        user_agent: input.userAgent.slice(0, 200) || null,
        admitted_at: now.toISOString(),
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, clock, {
      action: 'poste.admis',
      actor: kioskActor('surveillant (code de session)', input.ip),
      target: { type: 'session', id: session.id },
      details: { poste: row.id, nom: label, navigateur: input.userAgent.slice(0, 200) },
    });
    return row.id;
  });
  return {
    ok: true,
    cookie: `${id}.${secret}`,
    admission: {
      id,
      sessionId: session.id,
      centreId: session.centre_id,
      label,
      sessionDate: session.date,
      startTime: session.start_time,
      room: session.room,
      expiresAt,
    },
  };
}

/** The admission a terminal's cookie names, if it is genuine, not withdrawn and not past its day. */
export async function findAdmission(db: Queryable, cookie: string | undefined, now: Date): Promise<TerminalAdmission | null> {
  const match = cookie ? /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie) : null;
  const id = match ? positiveInteger(match[1]) : null;
  if (!match || id === null) return null;
  const row = await db
    .selectFrom('terminal_admissions as a')
    .innerJoin('exam_sessions as s', 's.id', 'a.exam_session_id')
    .select(['a.id', 'a.secret_hash', 'a.label', 'a.expires_at', 'a.revoked_at', 's.id as session_id', 's.centre_id', 's.date', 's.start_time', 's.room'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= now.toISOString()) return null;
  const given = Buffer.from(hashSecret(match[2]!));
  const stored = Buffer.from(row.secret_hash);
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  return {
    id: row.id,
    sessionId: row.session_id,
    centreId: row.centre_id,
    label: row.label,
    sessionDate: row.date,
    startTime: row.start_time,
    room: row.room,
    expiresAt: row.expires_at,
  };
}

/**
 * The supervisor withdraws a terminal from the session (one nobody in the room knows, say): it can
 * start nothing more, and an exam running on it is detached (it can be taken over on an admitted
 * terminal with the supervisor's leave). null: no such terminal in this centre's session.
 */
export async function withdrawTerminal(
  db: Kysely<Database>,
  clock: Clock,
  scope: { centreId: number; sessionId: number; admissionId: number },
  { actor }: Acting,
): Promise<{ detached: number } | null> {
  const now = clock.now().toISOString();
  return transaction(db, async (trx) => {
    const admission = await trx
      .selectFrom('terminal_admissions as a')
      .innerJoin('exam_sessions as s', 's.id', 'a.exam_session_id')
      .select(['a.id', 'a.revoked_at'])
      .where('a.id', '=', scope.admissionId)
      .where('s.id', '=', scope.sessionId)
      .where('s.centre_id', '=', scope.centreId)
      .executeTakeFirst();
    if (!admission) return null;
    if (admission.revoked_at !== null) return { detached: 0 };
    await trx.updateTable('terminal_admissions').set({ revoked_at: now }).where('id', '=', admission.id).execute();
    const detached = await trx
      .updateTable('exams')
      .set((eb) => ({ terminal_generation: eb('terminal_generation', '+', 1) }))
      .where('admission_id', '=', admission.id)
      .where('finished_at', 'is', null)
      .returning('id')
      .execute();
    await recordAudit(trx, clock, {
      action: 'poste.retire',
      actor,
      target: { type: 'session', id: scope.sessionId },
      details: { poste: admission.id, examens_detaches: detached.map((e) => e.id) },
    });
    for (const exam of detached) {
      await recordAudit(trx, clock, { action: 'examen.poste_detache', actor, target: { type: 'examen', id: exam.id }, details: { poste: admission.id } });
    }
    return { detached: detached.length };
  });
}

/**
 * The supervisor lets an exam in progress be taken over on another admitted terminal of its
 * session, for the next RESUME_LEAVE_MS. null: no such exam in progress in this centre.
 */
export async function allowResumeElsewhere(
  db: Kysely<Database>,
  clock: Clock,
  scope: { centreId: number; examId: number },
  { actor }: Acting,
): Promise<Date | null> {
  const now = clock.now();
  const until = new Date(now.getTime() + RESUME_LEAVE_MS);
  return transaction(db, async (trx) => {
    const updated = await trx
      .updateTable('exams')
      .set({ resume_allowed_until: until.toISOString() })
      .where('id', '=', scope.examId)
      .where('centre_id', '=', scope.centreId)
      .where(stillRunning('exams', now))
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return null;
    await recordAudit(trx, clock, {
      action: 'examen.reprise_autorisee',
      actor,
      target: { type: 'examen', id: scope.examId },
      details: { jusqu_a: until.toISOString() },
    });
    return until;
  });
}

export type MoveOutcome = { ok: true; generation: number } | { ok: false; reason: 'gone' | 'withdrawn' | 'other_session' | 'needs_leave' };

/** The admission still holds (not withdrawn, its day not over), read inside the caller's transaction. */
export async function admissionHolds(db: Queryable, admissionId: number, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('terminal_admissions')
    .select('id')
    .where('id', '=', admissionId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Moves an exam in progress onto this terminal: at once when it is the terminal it ran on (a
 * reboot), else only with the supervisor's leave, used up by the move. The previous terminal's
 * session stops reaching the exam (its generation is stale). Every move and every refusal is
 * audited with both terminals.
 */
export async function moveExamToTerminal(db: Kysely<Database>, clock: Clock, examId: number, admission: TerminalAdmission, ip: string): Promise<MoveOutcome> {
  const now = clock.now();
  return transaction(db, async (trx) => {
    const exam = await trx
      .selectFrom('exams')
      .select(['exam_session_id', 'admission_id', 'resume_allowed_until'])
      .where('id', '=', examId)
      .where(stillRunning('exams', now))
      .executeTakeFirst();
    if (!exam) return { ok: false as const, reason: 'gone' as const };
    // Withdrawn by the supervisor since the page was shown: this terminal takes nothing over.
    if (!(await admissionHolds(trx, admission.id, now))) return { ok: false as const, reason: 'withdrawn' as const };
    const actor = kioskActor('candidat', ip);
    const terminals = { ancien_poste: exam.admission_id, nouveau_poste: admission.id };
    const refuse = async (reason: 'other_session' | 'needs_leave') => {
      await recordAudit(trx, clock, {
        action: 'examen.reprise_refusee',
        actor,
        target: { type: 'examen', id: examId },
        details: { ...terminals, motif: reason },
      });
      return { ok: false as const, reason };
    };
    if (exam.exam_session_id !== admission.sessionId) return refuse('other_session');
    const sameTerminal = exam.admission_id === admission.id;
    const allowed = !sameTerminal && exam.resume_allowed_until !== null && exam.resume_allowed_until > now.toISOString();
    if (!sameTerminal && !allowed) return refuse('needs_leave');
    // The conditions again in the UPDATE: of two terminals spending one leave at once, one moves the exam.
    const row = await trx
      .updateTable('exams')
      .set((eb) => ({ terminal_generation: eb('terminal_generation', '+', 1), admission_id: admission.id, resume_allowed_until: null }))
      .where('id', '=', examId)
      .where((eb) =>
        sameTerminal
          ? eb('admission_id', '=', admission.id)
          : eb.and([
              // PostgreSQL takes no parameter after IS: a terminal id is compared, a missing one named.
              exam.admission_id === null ? eb('admission_id', 'is', null) : eb('admission_id', '=', exam.admission_id),
              eb('resume_allowed_until', '>', now.toISOString()),
            ]),
      )
      .returning('terminal_generation')
      .executeTakeFirst();
    if (!row) return refuse('needs_leave');
    await trx
      .insertInto('exam_resumes')
      .values({ exam_id: examId, from_admission_id: exam.admission_id, to_admission_id: admission.id, at: now.toISOString(), allowed: allowed ? 1 : 0 })
      .execute();
    await recordAudit(trx, clock, {
      action: 'examen.repris',
      actor,
      target: { type: 'examen', id: examId },
      details: { ...terminals, autorisation_du_surveillant: allowed },
    });
    return { ok: true as const, generation: row.terminal_generation };
  });
}
