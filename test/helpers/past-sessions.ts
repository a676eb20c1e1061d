import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/schema.js';
import type { Identity } from '../../src/domain/candidate-identity.js';
import { addDays, parisDate, parisStartOfDay } from '../../src/domain/paris-time.js';
import type { Profile } from '../../src/domain/profiles.js';
import { closeSession, createSession, openSession } from '../../src/areas/centre/sessions/lifecycle.js';
import { generateTokens } from '../../src/operator/generate-tokens.js';
import { answerEverythingRight } from '../../src/operator/seed-demo-history.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { finishExam, startExam } from '../../src/services/exam/lifecycle.js';
import type { TwoCentres } from './exam-fixtures.js';

export interface Sitting {
  identity: Partial<Identity> & { lastName: string; firstName: string };
  profile?: Profile;
  /** Every answer right (admitted), none (not admitted), or left running. */
  outcome?: 'passed' | 'failed' | 'running';
}

const at = (when: Date): Clock => ({ now: () => when });

/** A session of `centreId` held `daysAgo` days before the test's clock, sat by these candidates through the real lifecycles. */
export async function pastSession(ctx: TwoCentres, centreId: number, daysAgo: number, sittings: Sitting[]): Promise<{ sessionId: number; examIds: number[] }> {
  const db: Kysely<Database> = ctx.db;
  const day = addDays(parisDate(ctx.testApp.clock.now()), -daysAgo);
  const time = (h: number, m = 0) => at(new Date(parisStartOfDay(day).getTime() + (h * 60 + m) * 60_000));
  const created = await createSession(db, time(8), centreId, { date: day, startTime: '09:00', room: 'Salle A', supervisor: 'M. Test' }, { actor: CLI_ACTOR });
  if (!created.ok) throw new Error('session refused');
  const centre = await db.selectFrom('centres').select(['id', 'status', 'suspension_reason']).where('id', '=', centreId).executeTakeFirstOrThrow();
  await openSession(db, time(8, 50), { id: centre.id, status: centre.status, suspensionReason: centre.suspension_reason }, created.sessionId, {
    actor: CLI_ACTOR,
  });
  const ids: number[] = [];
  for (const [i, s] of sittings.entries()) {
    const profile = s.profile ?? 'operateur';
    await generateTokens(db, time(8, 55), { centreId, profile, count: 1, actorLabel: 'CLI' });
    const token = await db
      .selectFrom('exam_tokens as t')
      .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
      .select('t.id')
      .where('t.centre_id', '=', centreId)
      .where('t.status', '=', 'available')
      .where('q.profile', '=', profile)
      .orderBy('t.id')
      .executeTakeFirstOrThrow();
    const identity: Identity = { birthDate: '1990-01-01', company: null, companyAddress: null, ...s.identity };
    const started = await startExam(db, time(9, 20 + i), { centreId, tokenId: token.id, examSessionId: created.sessionId, identity });
    if (!started.ok) throw new Error(started.message);
    ids.push(started.examId);
    if (s.outcome === 'running') continue;
    if (s.outcome !== 'failed') await answerEverythingRight(db, started.examId);
    await finishExam(db, time(9, 40 + i), started.examId, 'candidat');
  }
  if (sittings.every((s) => s.outcome !== 'running')) await closeSession(db, time(11), centreId, created.sessionId, { actor: CLI_ACTOR });
  return { sessionId: created.sessionId, examIds: ids };
}
