import type { Queryable } from '../../../db/schema.js';

/** The centres of a manager, for the manager area's scope and the header's switcher. */
export function centresOfManager(db: Queryable, centreIds: number[]) {
  return db
    .selectFrom('centres')
    .select(['id', 'name', 'status', 'suspension_reason', 'low_stock_threshold'])
    .where('id', 'in', centreIds)
    .orderBy('id')
    .execute();
}
