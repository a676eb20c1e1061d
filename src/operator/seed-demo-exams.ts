import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { formatCentreId } from '../domain/centre-id.js';
import { parisDate } from '../domain/paris-time.js';
import { createSession, openSession } from '../areas/centre/sessions/lifecycle.js';
import { CLI_ACTOR } from '../services/audit.js';
import { findOpenSessions } from '../services/exam/sessions.js';
import { createTokenBatch } from '../areas/centre/tokens/lifecycle.js';
import { countAvailableTokens, listPublishedQuestionnaires } from '../areas/centre/tokens/queries.js';

export const DEMO_MIN_AVAILABLE_TOKENS = 20;
export const DEMO_BATCH_SIZE = 30;
export const DEMO_ROOM = 'Salle 1';
export const DEMO_SUPERVISOR = 'Surveillant de démonstration';
export const DEMO_START_TIME = '08:00';

export interface DemoExamsReport {
  /** One entry per batch added now (none when every stock was already high enough). */
  batches: { batchId: number; profile: string; version: string; count: number }[];
  /** The open session of today, and whether it was created by this run. */
  session: { id: number; created: boolean } | null;
  /** What could not be done (a suspended demo centre), in French. */
  warnings: string[];
}

/**
 * Idempotent demo tokens and session for a centre: a batch of 30 tokens for every published
 * questionnaire of which the centre has fewer than 20 available, and an open session today
 * (created and opened unless one is already open today).
 */
export async function seedDemoTokensAndSession(db: Kysely<Database>, clock: Clock, centreId: number): Promise<DemoExamsReport> {
  const report: DemoExamsReport = { batches: [], session: null, warnings: [] };
  const centre = await db.selectFrom('centres').select(['id', 'status', 'suspension_reason']).where('id', '=', centreId).executeTakeFirst();
  if (!centre) throw new Error(`Centre inconnu : ${formatCentreId(centreId)}.`);

  for (const questionnaire of await listPublishedQuestionnaires(db)) {
    if ((await countAvailableTokens(db, centreId, questionnaire.id)) >= DEMO_MIN_AVAILABLE_TOKENS) continue;
    const outcome = await createTokenBatch(db, clock, {
      centreId,
      questionnaireId: questionnaire.id,
      count: DEMO_BATCH_SIZE,
      createdBy: CLI_ACTOR.label,
      dailyQuota: 'exempt',
      actor: CLI_ACTOR,
    });
    if (outcome.ok) {
      report.batches.push({ batchId: outcome.batchId, profile: questionnaire.profile, version: questionnaire.version, count: outcome.codes.length });
    } else {
      report.warnings.push(outcome.message);
      if (outcome.reason === 'centre_suspended') break;
    }
  }

  const now = clock.now();
  const open = await findOpenSessions(db, centreId, now);
  if (open[0]) {
    report.session = { id: open[0].id, created: false };
    return report;
  }
  if (centre.status === 'suspended') {
    report.warnings.push(`Le centre ${formatCentreId(centreId)} est suspendu : aucune session de démonstration n’a été ouverte.`);
    return report;
  }
  const created = await createSession(
    db,
    clock,
    centreId,
    { date: parisDate(now), startTime: DEMO_START_TIME, room: DEMO_ROOM, supervisor: DEMO_SUPERVISOR },
    { actor: CLI_ACTOR },
  );
  if (!created.ok) throw new Error(`Session de démonstration refusée : ${'errors' in created ? Object.values(created.errors).join(' ') : created.suspended}`);
  const opened = await openSession(db, clock, { id: centreId, status: centre.status, suspensionReason: centre.suspension_reason }, created.sessionId, {
    actor: CLI_ACTOR,
  });
  if (!opened?.ok) throw new Error(`Session de démonstration non ouverte : ${opened ? opened.message : 'introuvable'}`);
  report.session = { id: created.sessionId, created: true };
  return report;
}
