import { and, asc, eq, isNotNull, isNull, lt, sql, type SQL } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { provisioningRequests } from "../db/schema";
import { callbackDeadlineMs } from "./callback-deadline";
import { lockRequest, RUN_TASK } from "./requests";
import { applyOutcome, RUNNING_LEASE_MS } from "./runner";
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
        // Unfinished = queue_rank below 6 (succeeded and cancelled share rank 6): a range of the queue
        // index, where `status not in (…)` would read every request ever made.
        lt(provisioningRequests.queueRank, 6),
      ),
    )
    .returning({ id: provisioningRequests.id });
  return marked.length;
}

/** A worker whose heartbeat is older than this is dead: its jobs go to another worker (ADR 6). */
export const WORKER_SILENCE_MS = 30_000;

/**
 * Frees the jobs and named queues of dead workers so others take them at once; graphile-worker itself
 * would wait hours. Dead means: a `worker_heartbeats` row silent for over `silentForMs` (the row is
 * deleted, so a worker that was only frozen finds itself fenced at its next beat), or a lock older than
 * that by a worker with no row at all (a worker registers before it fetches, so only a dead or fenced
 * one has none). Safe to run from many workers at once and to repeat. Returns how many workers it freed.
 */
export async function unlockAbandonedJobs(db: DbOrTx, silentForMs = WORKER_SILENCE_MS): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<{ workers: string[] }>(sql`
      with silent as (
        delete from worker_heartbeats where beat_at < now() - make_interval(secs => ${silentForMs / 1000})
        returning worker_id
      ), unregistered as (
        select locked_by as worker_id from graphile_worker._private_jobs
        where locked_by is not null and locked_at < now() - make_interval(secs => ${silentForMs / 1000})
        union
        select locked_by from graphile_worker._private_job_queues
        where locked_by is not null and locked_at < now() - make_interval(secs => ${silentForMs / 1000})
      )
      select coalesce(array_agg(distinct worker_id), '{}') as workers from (
        select worker_id from silent
        union
        select u.worker_id from unregistered u
        where not exists (select 1 from worker_heartbeats h where h.worker_id = u.worker_id)
      ) dead`);
    const workers = row?.workers ?? [];
    if (workers.length) await releaseWorkerJobs(tx, workers);
    return workers.length;
  });
}

/**
 * Frees every job and named queue locked by these graphile-worker ids (pool ids, as in `locked_by`), for a
 * worker that died or one stopping with jobs still running: another worker takes them at once, with no
 * attempt counted. Their provisioning requests' `running` leases end too, or the next attempt would
 * think the request still in hand and leave it `running` for good. Idempotent; call it in a transaction.
 */
export async function releaseWorkerJobs(tx: DbOrTx, workerIds: readonly string[]): Promise<void> {
  const ids = JSON.stringify(workerIds);
  await endRunningLeases(tx, sql`j.locked_by in (select json_array_elements_text(${ids}::json))`);
  await tx.execute(
    sql`select graphile_worker.force_unlock_workers(array(select json_array_elements_text(${ids}::json)))`,
  );
}

/** A lock this old that its live worker does not know of is stray, not a fetch still on its way back. */
export const STRAY_LOCK_MS = 30_000;

/**
 * Frees the jobs a live worker holds without knowing it, and the named queues they hold, so a lock
 * lives only as long as the worker knows of it. A worker loses track of a lock when the database goes
 * away at the wrong moment: a fetch that committed but whose answer never arrived, or a failed job
 * whose failure could not be recorded (graphile-worker 0.17 does not retry that and leaves the job and
 * its queue locked by the live worker for 4 hours). Only locks older than `olderThanMs`, or taken
 * before the database server last started, count: a fetch still on its way is never touched, and a
 * restart ends every fetch that was (so the commonest loss, an answer cut by a restart, is freed at
 * the first heartbeat after it). A job freed here runs again (every task may). Provisioning leases
 * end as in `releaseWorkerJobs`. Idempotent; call it in a transaction. Returns the freed job ids.
 * @param workerId the pool id in `locked_by`; @param heldJobIds the ids the worker knows it holds.
 */
export async function releaseStrayJobs(
  tx: DbOrTx,
  workerId: string,
  heldJobIds: readonly string[],
  olderThanMs = STRAY_LOCK_MS,
): Promise<string[]> {
  const held = JSON.stringify(heldJobIds);
  const lockedLongAgo = (lockedAt: SQL) =>
    sql`(${lockedAt} < now() - make_interval(secs => ${olderThanMs / 1000}) or ${lockedAt} < pg_postmaster_start_time())`;
  const stray = sql`j.locked_by = ${workerId} and ${lockedLongAgo(sql`j.locked_at`)}
    and j.id::text not in (select json_array_elements_text(${held}::json))`;
  await endRunningLeases(tx, stray);
  const freed = await tx.execute<{ id: string }>(sql`
    update graphile_worker._private_jobs j set locked_by = null, locked_at = null
    where ${stray} returning j.id::text as id`);
  await tx.execute(sql`
    update graphile_worker._private_job_queues q set locked_by = null, locked_at = null
    where q.locked_by = ${workerId} and ${lockedLongAgo(sql`q.locked_at`)}
      and not exists (
        select 1 from graphile_worker._private_jobs j
        where j.job_queue_id = q.id and j.locked_by = ${workerId}
          and j.id::text in (select json_array_elements_text(${held}::json)))`);
  return freed.map((row) => row.id);
}

/** Ends the `running` leases of the provisioning requests whose run jobs match `jobs` (alias `j`). */
async function endRunningLeases(tx: DbOrTx, jobs: SQL): Promise<void> {
  await tx.execute(sql`
    update provisioning_requests r
    set updated_at = now() - make_interval(secs => ${RUNNING_LEASE_MS / 1000})
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${RUN_TASK} and r.status = 'running' and r.callback_due_at is null
      and ${jobs}
      and r.id = (j.payload ->> 'requestId')::uuid`);
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
