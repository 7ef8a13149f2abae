import { spawn, type ChildProcess } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { organisations, provisioningEvents, provisioningRequests } from "../../db/schema";
import { enqueueProvisioning, unlockAbandonedJobs } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { snapshotOf } from "../support/snapshot";

let database: TestDatabase;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await database.sql`create table crash_test_executions (request_id uuid not null, at timestamptz not null default now())`;
});
afterEach(async () => {
  // Each test starts its own workers: none may take the next test's jobs, nor count as a dead worker there.
  for (const worker of workers.splice(0)) worker.kill("SIGKILL");
  await database.sql`delete from worker_heartbeats`;
});
afterAll(async () => {
  await dropTestDatabase(database);
});

function startWorker(hang: boolean): Promise<ChildProcess> {
  // One process (no tsx wrapper), so SIGKILL reaches the worker itself and nothing is left running.
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/worker-process.ts"], {
    env: { ...process.env, DATABASE_URL: database.url, ...(hang ? { HANG: "1" } : {}) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  workers.push(child);
  return new Promise((resolve) => child.stdout!.once("data", () => resolve(child)));
}

async function executions(requestId: string): Promise<number> {
  const [row] = await database.sql<
    { n: number }[]
  >`select count(*)::int as n from crash_test_executions where request_id = ${requestId}`;
  return row!.n;
}

async function enqueue(key: string): Promise<string> {
  const [org] = await database.db
    .insert(organisations)
    .values({ name: `Crash ${key}` })
    .returning();
  const { requestId } = await database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId: org!.id,
      operation: "provision",
      snapshot: snapshotOf({ productSlug: "p" }),
      provisioner: "slow",
      config: {},
      idempotencyKey: key,
      actor: { type: "system", id: null },
    }),
  );
  return requestId;
}

describe("a worker killed with kill -9", () => {
  it("loses its jobs to a live worker within 60 s, and no job runs in two workers at once", async () => {
    const requestId = await enqueue("kill-9");
    const doomed = await startWorker(true);
    await expect.poll(() => executions(requestId), { timeout: 15_000 }).toBe(1);
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));
    const killedAt = Date.now();

    await startWorker(false);
    await expect
      .poll(
        async () =>
          (await database.db.select().from(provisioningRequests).where(eq(provisioningRequests.id, requestId)))[0]
            ?.status,
        { timeout: 60_000, interval: 250 },
      )
      .toBe("succeeded");
    const runs = await database.sql<{ at: number }[]>`
      select (extract(epoch from at) * 1000)::float8 as at from crash_test_executions where request_id = ${requestId} order by at`;
    expect(runs).toHaveLength(2);
    // The second run started after the first worker was gone: never two at once.
    expect(runs[1]!.at).toBeGreaterThanOrEqual(killedAt - 1_000);
    const resumedAfterMs = runs[1]!.at - killedAt;
    console.log(`kill -9: the job resumed ${resumedAfterMs} ms after the kill`);
    expect(resumedAfterMs).toBeLessThan(60_000);
    const [locks] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker._private_jobs where locked_by is not null`;
    expect(locks!.n).toBe(0);
  }, 90_000);
});

describe("a worker killed in the middle of a request", () => {
  it("leaves the request to be retried by another worker: not lost, not done twice", async () => {
    const [org] = await database.db.insert(organisations).values({ name: "Crash Co" }).returning();
    const snapshot = snapshotOf({ productSlug: "p" });
    const { requestId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId: org!.id,
        operation: "provision",
        snapshot,
        provisioner: "slow",
        config: {},
        idempotencyKey: "crash",
        actor: { type: "system", id: null },
      }),
    );

    const doomed = await startWorker(true);
    await expect.poll(() => executions(requestId), { timeout: 15_000 }).toBe(1);
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));
    const [stuck] = await database.db.select().from(provisioningRequests).where(eq(provisioningRequests.id, requestId));
    expect(stuck).toMatchObject({ status: "running", attempts: 1 });

    // Time passes (moved, not waited for): the request's lease and the job's lock grow old.
    await database.db
      .update(provisioningRequests)
      .set({ updatedAt: sql`now() - interval '10 minutes'` })
      .where(eq(provisioningRequests.id, requestId));
    await database.sql`update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_at is not null`;
    await database.sql`update graphile_worker._private_job_queues set locked_at = now() - interval '1 hour' where locked_at is not null`;
    await database.sql`update worker_heartbeats set beat_at = now() - interval '1 hour'`;
    expect(await unlockAbandonedJobs(database.db)).toBe(1);

    await startWorker(false);
    await expect
      .poll(
        async () =>
          (await database.db.select().from(provisioningRequests).where(eq(provisioningRequests.id, requestId)))[0]
            ?.status,
        { timeout: 15_000 },
      )
      .toBe("succeeded");
    expect(await executions(requestId)).toBe(2);
    const events = await database.db
      .select()
      .from(provisioningEvents)
      .where(eq(provisioningEvents.requestId, requestId))
      .orderBy(provisioningEvents.id);
    expect(events.map((e) => `${e.fromStatus ?? "∅"}→${e.toStatus}`)).toEqual([
      "∅→queued",
      "queued→running",
      "running→running",
      "running→succeeded",
    ]);
  });
});
