import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';

/** The national figures of the administrator's dashboard. */
export async function nationalCounts(db: Kysely<Database>): Promise<{ centreCount: number; managerCount: number }> {
  const [centres, managers] = await Promise.all([
    db
      .selectFrom('centres')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'manager')
      .executeTakeFirstOrThrow(),
  ]);
  return { centreCount: Number(centres.n), managerCount: Number(managers.n) };
}
