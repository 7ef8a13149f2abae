import { and, asc, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { provisioningRequests } from "../db/schema";
import { callbackDeadlineMs } from "./callback-deadline";
import { lockRequest } from "./requests";
import { applyOutcome } from "./runner";
import { outcome } from "./types";

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

/** How many overdue requests one sweep handles; the next sweep takes the rest. */
const CALLBACK_SWEEP_BATCH = 200;

/**
 * Requests a control plane accepted (HTTP 202) and did not report on by their deadline
 * (`callback_due_at`, see callback-deadline.ts): each is treated as a failed attempt by the runner's
 * own rules (ADR 6), so it is queued again with backoff, or waits for staff once its attempts are used
 * up. Each request is locked and re-checked in its own transaction, so a callback arriving meanwhile,
 * a staff action or a second sweep wins cleanly. Returns how many it handled.
 */
export async function sweepOverdueCallbacks(db: Database, now = new Date()): Promise<number> {
  const due = await db
    .select({ id: provisioningRequests.id })
    .from(provisioningRequests)
    .where(
      and(
        eq(provisioningRequests.status, "running"),
        isNotNull(provisioningRequests.callbackDueAt),
        lt(provisioningRequests.callbackDueAt, now),
      ),
    )
    .orderBy(asc(provisioningRequests.callbackDueAt))
    .limit(CALLBACK_SWEEP_BATCH);
  let handled = 0;
  for (const { id } of due) {
    const swept = await db.transaction(async (tx) => {
      const request = await lockRequest(tx, id);
      if (request?.status !== "running" || !request.callbackDueAt || request.callbackDueAt >= now) return false;
      const minutes = callbackDeadlineMs(request.config) / 60_000;
      const overdue = outcome.retry(
        `the control plane accepted the request but did not report back within ${minutes} minutes`,
      );
      await applyOutcome(tx, request, overdue, { type: "system", id: null }, {});
      return true;
    });
    if (swept) handled += 1;
  }
  return handled;
}
