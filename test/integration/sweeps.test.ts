import { eq, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, provisioningRequests, users } from "../../db/schema";
import { notifyStaffOfOverdueRequests } from "../../app/modules/email/sla-notice.server";
import { enqueueProvisioning, releaseStrayJobs, releaseWorkerJobs, unlockAbandonedJobs } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";
import { snapshotOf } from "../support/snapshot";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const snapshot = snapshotOf({ productSlug: "p" });

describe("the SLA sweep", () => {
  it("tells every staff member once about requests past their promised time", async () => {
    await database.db
      .insert(users)
      .values({ email: "ops@staff.test", name: "Ops", passwordHash: "x", staffRole: "staff" });
    const [org] = await database.db.insert(organisations).values({ name: "Late Co" }).returning();
    const { requestId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId: org!.id,
        operation: "provision",
        snapshot,
        provisioner: "manual",
        config: {},
        idempotencyKey: "late-1",
        actor: { type: "system", id: null },
      }),
    );
    expect(await notifyStaffOfOverdueRequests(database.db, "https://portal.test")).toBe(0);
    await database.db
      .update(provisioningRequests)
      .set({ slaDueAt: sql`now() - interval '1 minute'` })
      .where(eq(provisioningRequests.id, requestId));
    expect(await notifyStaffOfOverdueRequests(database.db, "https://portal.test")).toBe(1);
    expect(await notifyStaffOfOverdueRequests(database.db, "https://portal.test")).toBe(0);
    const notices = await queuedEmails(database, "ops@staff.test");
    expect(notices.map((n) => n.subject)).toEqual(["1 provisioning request is past due"]);
  });
});

describe("the job unlock sweep", () => {
  it("frees jobs and queues locked by a worker that died long ago, and leaves fresh locks alone", async () => {
    await database.sql`select graphile_worker.add_job('send_email', '{}'::json, queue_name => 'q-dead')`;
    await database.sql`select graphile_worker.add_job('send_email', '{}'::json, queue_name => 'q-alive')`;
    await database.sql`update graphile_worker._private_jobs j set locked_by = 'dead-worker', locked_at = now() - interval '1 hour'
      from graphile_worker._private_job_queues q where q.id = j.job_queue_id and q.queue_name = 'q-dead'`;
    await database.sql`update graphile_worker._private_job_queues set locked_by = 'dead-worker', locked_at = now() - interval '1 hour' where queue_name = 'q-dead'`;
    await database.sql`update graphile_worker._private_jobs j set locked_by = 'live-worker', locked_at = now()
      from graphile_worker._private_job_queues q where q.id = j.job_queue_id and q.queue_name = 'q-alive'`;

    expect(await unlockAbandonedJobs(database.db)).toBe(1);
    const locks = await database.sql<{ queue_name: string; locked_by: string | null }[]>`
      select q.queue_name, j.locked_by from graphile_worker._private_jobs j join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where q.queue_name in ('q-dead', 'q-alive') order by q.queue_name`;
    expect(locks).toEqual([
      { queue_name: "q-alive", locked_by: "live-worker" },
      { queue_name: "q-dead", locked_by: null },
    ]);
  });
});

describe("the liveness sweep", () => {
  it("frees the jobs of a worker silent for 30 s, ends its requests' leases, and leaves a slow but beating worker alone", async () => {
    const requestId = await runningRequest("Silent Co");
    await database.sql`select graphile_worker.add_job('send_email', '{}'::json, queue_name => 'q-slow')`;
    await database.sql`insert into worker_heartbeats (worker_id, beat_at) values
      ('silent-worker', now() - interval '31 seconds'), ('slow-worker', now())`;
    // The silent worker took its job a moment ago; the slow one has held its job for an hour, beating all along.
    await database.sql`update graphile_worker._private_jobs j set locked_by = 'silent-worker', locked_at = now()
      from graphile_worker._private_tasks t where t.id = j.task_id and t.identifier = 'provisioning_run'
      and j.payload ->> 'requestId' = ${requestId}`;
    await database.sql`update graphile_worker._private_jobs j set locked_by = 'slow-worker', locked_at = now() - interval '1 hour'
      from graphile_worker._private_job_queues q where q.id = j.job_queue_id and q.queue_name = 'q-slow'`;
    await database.sql`update graphile_worker._private_job_queues set locked_by = 'slow-worker', locked_at = now() - interval '1 hour'
      where queue_name = 'q-slow'`;

    expect(await unlockAbandonedJobs(database.db)).toBe(1);
    expect(await unlockAbandonedJobs(database.db)).toBe(0);
    const locks = await database.sql<{ locked_by: string }[]>`
      select locked_by from graphile_worker._private_jobs where locked_by in ('silent-worker', 'slow-worker')
      union all select locked_by from graphile_worker._private_job_queues where locked_by in ('silent-worker', 'slow-worker')`;
    expect(locks.map((l) => l.locked_by)).toEqual(["slow-worker", "slow-worker"]);
    const heartbeats = await database.sql<{ worker_id: string }[]>`select worker_id from worker_heartbeats`;
    expect(heartbeats.map((h) => h.worker_id)).toEqual(["slow-worker"]);
    // The request's lease is over: the next attempt takes it at once instead of waiting 5 minutes.
    const [lease] = await database.sql<{ expired: boolean }[]>`
      select updated_at < now() - interval '5 minutes' as expired from provisioning_requests where id = ${requestId}`;
    expect(lease!.expired).toBe(true);
  });
});

describe("a live worker's stray locks", () => {
  /** Queues a job in `queue` and locks it and its queue for `worker` at `lockedAt` (SQL timestamptz). */
  const lock = async (queue: string, lockedAt: string | SQL, worker = "busy-worker") => {
    const [job] = await database.sql<{ id: string }[]>`
      select id::text from graphile_worker.add_job('send_email', '{}'::json, queue_name => ${queue})`;
    const at = typeof lockedAt === "string" ? sql`${lockedAt}::timestamptz` : lockedAt;
    await database.db.execute(sql`update graphile_worker._private_jobs set locked_by = ${worker}, locked_at = ${at}
      where id = ${job!.id}`);
    await database.db
      .execute(sql`update graphile_worker._private_job_queues set locked_by = ${worker}, locked_at = ${at}
      where queue_name = ${queue}`);
    return job!.id;
  };

  it("are freed with their queues; what it knows it holds, and locks taken a moment ago, are kept", async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const held = await lock("q-held", anHourAgo);
    const lost = await lock("q-lost", anHourAgo);
    await lock("q-just-fetched", new Date().toISOString());
    const requestId = await runningRequestLockedBy("busy-worker", anHourAgo);

    const freed = await database.db.transaction((tx) => releaseStrayJobs(tx, "busy-worker", [held]));
    expect(freed.sort()).toEqual([lost, await runJobOf(requestId)].sort());
    expect(await database.db.transaction((tx) => releaseStrayJobs(tx, "busy-worker", [held]))).toEqual([]);
    const locks = await database.sql<{ queue_name: string; job: string | null; queue: string | null }[]>`
      select q.queue_name, j.locked_by as job, q.locked_by as queue from graphile_worker._private_jobs j
      join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where q.queue_name in ('q-held', 'q-lost', 'q-just-fetched') order by q.queue_name`;
    expect(locks).toEqual([
      { queue_name: "q-held", job: "busy-worker", queue: "busy-worker" },
      { queue_name: "q-just-fetched", job: "busy-worker", queue: "busy-worker" },
      { queue_name: "q-lost", job: null, queue: null },
    ]);
    // A provisioning request whose run job was stray is no longer "in hand": its next attempt takes it at once.
    const [lease] = await database.sql<{ expired: boolean }[]>`
      select updated_at < now() - interval '5 minutes' as expired from provisioning_requests where id = ${requestId}`;
    expect(lease!.expired).toBe(true);
  });

  it("taken before the database server last started are freed however young: a restart ended every fetch on its way", async () => {
    const beforeRestart = await lock(
      "q-before-restart",
      sql`pg_postmaster_start_time() - interval '1 second'`,
      "restarted-worker",
    );
    await lock("q-after-restart", sql`now()`, "restarted-worker");
    const aDay = 86_400_000;

    expect(await database.db.transaction((tx) => releaseStrayJobs(tx, "restarted-worker", [], aDay))).toEqual([
      beforeRestart,
    ]);
    const locks = await database.sql<{ queue_name: string; job: string | null; queue: string | null }[]>`
      select q.queue_name, j.locked_by as job, q.locked_by as queue from graphile_worker._private_jobs j
      join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where q.queue_name in ('q-before-restart', 'q-after-restart') order by q.queue_name`;
    expect(locks).toEqual([
      { queue_name: "q-after-restart", job: "restarted-worker", queue: "restarted-worker" },
      { queue_name: "q-before-restart", job: null, queue: null },
    ]);
  });
});

describe("the liveness sweeps' cost", () => {
  it("stays flat as the queue grows: they find locks through an index, never by reading every queued job", async () => {
    const [job] = await database.sql<
      { id: string }[]
    >`select id::text from graphile_worker.add_job('queue_growth', '{}'::json)`;
    await database.sql`insert into graphile_worker._private_jobs (task_id, payload, run_at, max_attempts, attempts, priority)
      select task_id, payload, run_at, max_attempts, 0, 0 from graphile_worker._private_jobs, generate_series(1, 20000)
      where id = ${job!.id}`;
    await database.sql`update graphile_worker._private_jobs set locked_by = 'slow-worker', locked_at = now() - interval '1 hour'
      where id = ${job!.id}`;
    await database.sql`analyze graphile_worker._private_jobs`;
    try {
      // Counted on one connection (pg_stat_xact_*: its counts not yet reported), so other connections'
      // statistics, reported late, cannot blur it.
      const sequentialScans = await database.db.transaction(async (tx) => {
        const scans = async () => {
          const [row] = await tx.execute<{ n: number }>(sql`
            select seq_scan::int as n from pg_stat_xact_user_tables
            where schemaname = 'graphile_worker' and relname = '_private_jobs'`);
          return row!.n;
        };
        const before = await scans();
        await releaseStrayJobs(tx, "slow-worker", []);
        await unlockAbandonedJobs(tx);
        await releaseWorkerJobs(tx, ["slow-worker"]);
        return (await scans()) - before;
      });
      expect(sequentialScans).toBe(0);
    } finally {
      await database.sql`delete from graphile_worker._private_jobs where task_id = (
        select id from graphile_worker._private_tasks where identifier = 'queue_growth')`;
    }
  });
});

/** A provisioning request of a new organisation, `running` as a worker holding its run job leaves it. */
async function runningRequest(organisationName: string): Promise<string> {
  const [org] = await database.db.insert(organisations).values({ name: organisationName }).returning();
  const { requestId } = await database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId: org!.id,
      operation: "provision",
      snapshot,
      provisioner: "demo",
      config: {},
      idempotencyKey: organisationName,
      actor: { type: "system", id: null },
    }),
  );
  await database.db
    .update(provisioningRequests)
    .set({ status: "running" })
    .where(eq(provisioningRequests.id, requestId));
  return requestId;
}

/** A `running` provisioning request whose run job `worker` locked at `lockedAt`; returns the request id. */
async function runningRequestLockedBy(worker: string, lockedAt: string): Promise<string> {
  const requestId = await runningRequest("Stray Co");
  await database.sql`update graphile_worker._private_jobs set locked_by = ${worker}, locked_at = ${lockedAt}::timestamptz
    where id = ${await runJobOf(requestId)}`;
  return requestId;
}

/** The id of the provisioning run job for `requestId`. */
async function runJobOf(requestId: string): Promise<string> {
  const [job] = await database.sql<{ id: string }[]>`
    select j.id::text from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'provisioning_run' and j.payload ->> 'requestId' = ${requestId}`;
  return job!.id;
}
