import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/schema.js';
import { canClose, canOpen, validateNewSession, type NewSessionInput, type NewSessionOutcome } from '../../../domain/exam-session-rules.js';
import { parisDate } from '../../../domain/paris-time.js';
import { recordAudit, type AuditEvent } from '../../../services/audit.js';
import { suspendedCentreMessage } from '../../../domain/centre-suspension.js';
import { closeStaleSessions, getSession, insertSession, setSessionStatus } from './queries.js';

interface Actor {
  actor: AuditEvent['actor'];
  ip?: string | null;
}

export type CreateOutcome = { ok: true; sessionId: number } | Extract<NewSessionOutcome, { ok: false }>;

/** null: no such session in this centre (the caller answers 404). */
export type TransitionOutcome = { ok: true } | { ok: false; message: string } | null;

/** Checks and stores a new planned session of the centre. */
export async function createSession(db: Kysely<Database>, clock: Clock, centreId: number, input: NewSessionInput, options: Actor): Promise<CreateOutcome> {
  const now = clock.now();
  const checked = validateNewSession(input, now);
  if (!checked.ok) return checked;
  const session = checked.session;
  return db.transaction().execute(async (trx) => {
    const sessionId = await insertSession(trx, centreId, session, now.toISOString());
    await recordAudit(trx, clock, {
      action: 'session.creee',
      actor: options.actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centreId, date: session.date, heure: session.startTime, salle: session.room, surveillant: session.supervisor },
      ip: options.ip ?? null,
    });
    return { ok: true as const, sessionId };
  });
}

/** Planned → open, on the session's day only, and never for a suspended centre. */
export async function openSession(
  db: Kysely<Database>,
  clock: Clock,
  centre: { id: number; status: 'active' | 'suspended'; suspensionReason: string | null },
  sessionId: number,
  options: Actor,
): Promise<TransitionOutcome> {
  const now = clock.now();
  await closeStaleSessions(db, parisDate(now));
  return db.transaction().execute(async (trx) => {
    const session = await getSession(trx, centre.id, sessionId);
    if (!session) return null;
    if (centre.status === 'suspended') {
      return { ok: false, message: suspendedCentreMessage('aucune session ne peut être ouverte', centre.suspensionReason) };
    }
    const rule = canOpen(session, now);
    if (!rule.ok) return rule;
    if (!(await setSessionStatus(trx, centre.id, sessionId, 'planned', 'open', now.toISOString()))) {
      return { ok: false, message: 'Cette session vient de changer d’état : rechargez la page.' };
    }
    await recordAudit(trx, clock, {
      action: 'session.ouverte',
      actor: options.actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centre.id, date: session.date, salle: session.room },
      ip: options.ip ?? null,
    });
    return { ok: true };
  });
}

/** Open → closed, at any time. */
export async function closeSession(db: Kysely<Database>, clock: Clock, centreId: number, sessionId: number, options: Actor): Promise<TransitionOutcome> {
  const now = clock.now();
  await closeStaleSessions(db, parisDate(now));
  return db.transaction().execute(async (trx) => {
    const session = await getSession(trx, centreId, sessionId);
    if (!session) return null;
    const rule = canClose(session, now);
    if (!rule.ok) return rule;
    if (!(await setSessionStatus(trx, centreId, sessionId, 'open', 'closed', now.toISOString()))) {
      return { ok: false, message: 'Cette session vient de changer d’état : rechargez la page.' };
    }
    await recordAudit(trx, clock, {
      action: 'session.fermee',
      actor: options.actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centreId, date: session.date, salle: session.room },
      ip: options.ip ?? null,
    });
    return { ok: true };
  });
}
