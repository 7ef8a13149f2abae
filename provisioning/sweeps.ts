import { and, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { provisioningRequests } from "../db/schema";

/** Marks open requests past their SLA that staff were not yet told about; returns how many. */
export async function markOverdueRequests(tx: DbOrTx, now = new Date()): Promise<number> {
  const marked = await tx
    .update(provisioningRequests)
    .set({ slaNotifiedAt: now })
    .where(
      and(
        lt(provisioningRequests.slaDueAt, now),
        isNull(provisioningRequests.slaNotifiedAt),
        sql`${provisioningRequests.status} not in ('succeeded', 'cancelled')`,
      ),
    )
    .returning({ id: provisioningRequests.id });
  return marked.length;
}

/**
 * Jobs whose worker died stay locked; graphile-worker releases them only after hours. Our jobs
 * take seconds, so a lock older than this belongs to a dead worker: free it for another.
 */
export async function unlockAbandonedJobs(tx: DbOrTx, olderThanMinutes = 15): Promise<number> {
  const [row] = await tx.execute<{ unlocked: number }>(sql`
    with dead as (
      select coalesce(array_agg(distinct locked_by), '{}') as workers from graphile_worker._private_jobs
      where locked_by is not null and locked_at < now() - make_interval(mins => ${olderThanMinutes})
    )
    select cardinality(workers) as unlocked, graphile_worker.force_unlock_workers(workers) from dead`);
  return Number(row?.unlocked ?? 0);
}
