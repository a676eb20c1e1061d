import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from '../../migrations/0001_foundation.js';
import * as m0002 from '../../migrations/0002_questionnaires.js';
import * as m0003 from '../../migrations/0003_centres_tokens_sessions.js';
import * as m0004 from '../../migrations/0004_exams.js';
import * as m0005 from '../../migrations/0005_attestations.js';
import * as m0006 from '../../migrations/0006_hashed_session_ids.js';
import * as m0007 from '../../migrations/0007_terminal_admissions.js';
import * as m0008 from '../../migrations/0008_second_factor.js';
import * as m0009 from '../../migrations/0009_daily_token_quotas.js';
import * as m0010 from '../../migrations/0010_audit_log_target.js';
import * as m0011 from '../../migrations/0011_exam_search_key.js';
import * as m0012 from '../../migrations/0012_exam_cancellation_incidents.js';
import * as m0013 from '../../migrations/0013_exam_pauses.js';
import * as m0014 from '../../migrations/0014_single_sign_on.js';
import * as m0015 from '../../migrations/0015_periodic_runs.js';
import * as m0016 from '../../migrations/0016_running_instances.js';
import * as m0017 from '../../migrations/0017_question_descriptions.js';
import * as m0018 from '../../migrations/0018_personal_data_retention.js';
import * as m0019 from '../../migrations/0019_item_statistics.js';
import * as m0020 from '../../migrations/0020_exam_figures.js';
import * as m0021 from '../../migrations/0021_item_statistics_recompute.js';
import type { Database } from './schema.js';

/**
 * Migrations are listed here rather than read from a folder, so that the same list works from
 * the TypeScript sources (tests, dev) and from the compiled output (production).
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_questionnaires': m0002,
  '0003_centres_tokens_sessions': m0003,
  '0004_exams': m0004,
  '0005_attestations': m0005,
  '0006_hashed_session_ids': m0006,
  '0007_terminal_admissions': m0007,
  '0008_second_factor': m0008,
  '0009_daily_token_quotas': m0009,
  '0010_audit_log_target': m0010,
  '0011_exam_search_key': m0011,
  '0012_exam_cancellation_incidents': m0012,
  '0013_exam_pauses': m0013,
  '0014_single_sign_on': m0014,
  '0015_periodic_runs': m0015,
  '0016_running_instances': m0016,
  '0017_question_descriptions': m0017,
  '0018_personal_data_retention': m0018,
  '0019_item_statistics': m0019,
  '0020_exam_figures': m0020,
  '0021_item_statistics_recompute': m0021,
};

/** In the order they run. */
export const MIGRATION_NAMES = Object.keys(migrations);

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
