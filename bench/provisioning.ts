import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inArray, sql } from "drizzle-orm";
import { Logger, run } from "graphile-worker";
import { connectDb, type DbHandle } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { workerConnectionString } from "../db/worker-connection";
import { batchedJobsPreset } from "../server/worker";
import { organisations, provisioningRequests } from "../db/schema";
import {
  createDemoProvisioner,
  enqueueProvisioning,
  ProvisionerRegistry,
  provisioningTasks,
  type Snapshot,
} from "../provisioning";
import { inParallel } from "./parallel";
import { percentile } from "./percentile";
import { simpleUpdateTps } from "./postgres-limit";
import type { Report, Scale } from "./scale";

const ACCOUNTS = 500;
const OFFERED_RPS = 200;
const snapshot: Snapshot = {
  productSlug: "bench",
  planSlug: "team",
  planName: "Team",
  seats: 3,
  limits: { projects: 100 },
  features: [],
  trialEndsAt: null,
};

/**
 * Demo-provisioner requests across many accounts, run by graphile-worker against a real
 * PostgreSQL: a burst for throughput, then a steady 200 requests/s for latency (enqueue →
 * succeeded, from the database's own timestamps). The PostgreSQL limit on this machine is a
 * pgbench-like simple-update load through the same driver, in the same run.
 */
export async function provisioningScenario(report: Report, { pick }: Scale): Promise<void> {
  const burst = pick(3_000, 100);
  const offeredSeconds = pick(10, 1);
  const dir = await mkdtemp(path.join(tmpdir(), "portal-bench-pg-"));
  const server = await startEmbeddedPostgres({ dir });
  const database = connectDb(server.url(), { max: 20 });
  try {
    await migrateDatabase(database);
    const accounts = await database.db
      .insert(organisations)
      .values(Array.from({ length: ACCOUNTS }, (_, i) => ({ name: `Bench account ${i}` })))
      .returning({ id: organisations.id });
    const accountIds = accounts.map((a) => a.id);

    const limitTps = await simpleUpdateTps(database, pick(5, 1));
    report("postgres.limit_tps", Math.round(limitTps));

    // The burst is queued first, so the figure is the worker's rate, not the enqueuer's.
    const burstIds = await enqueueMany(database, accountIds, burst);
    const started = performance.now();
    const runnerDb = connectDb(database.url, { max: 16, relaxedCommits: true });
    const worker = await startBenchWorker(database, runnerDb);
    try {
      await waitUntilSucceeded(database, burstIds);
      const completedPerSecond = burst / ((performance.now() - started) / 1000);
      report("provisioning.completed_per_s", Math.round(completedPerSecond));

      const steadyIds: string[] = [];
      const interval = 1000 / OFFERED_RPS;
      const steadyStart = performance.now();
      for (let i = 0; i < OFFERED_RPS * offeredSeconds; i += 1) {
        const due = steadyStart + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        steadyIds.push(await enqueue(database, accountIds[i % ACCOUNTS]!, `steady-${i}`));
      }
      await waitUntilSucceeded(database, steadyIds);
      const latencies = await latenciesMs(database, steadyIds);
      report("provisioning.p50_ms", percentile(latencies, 0.5));
      report("provisioning.p99_ms", percentile(latencies, 0.99));
      report("provisioning.ratio", Number((completedPerSecond / limitTps).toFixed(3)));
    } finally {
      await worker.stop();
      await runnerDb.close();
    }
  } finally {
    await database.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** As the portal's worker runs: its own pool with commits that do not wait for the disk. */
function startBenchWorker(database: DbHandle, runnerDb: DbHandle) {
  return run({
    connectionString: workerConnectionString(database.url),
    concurrency: 16,
    preset: batchedJobsPreset(16),
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: new Logger(() => () => {}),
    taskList: provisioningTasks(runnerDb.db, {
      registry: new ProvisionerRegistry([createDemoProvisioner(database.db, "http://portal.bench")]),
      callbackUrl: (id) => `http://127.0.0.1/cb/${id}`,
    }),
  });
}

/** Queues requests from 16 connections at once. */
async function enqueueMany(database: DbHandle, accountIds: string[], count: number): Promise<string[]> {
  const ids: string[] = [];
  await inParallel(16, count, async (i) => {
    ids.push(await enqueue(database, accountIds[i % accountIds.length]!, `burst-${i}`));
  });
  return ids;
}

async function enqueue(database: DbHandle, accountId: string, key: string): Promise<string> {
  const { requestId } = await database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId,
      operation: "provision",
      snapshot,
      provisioner: "demo",
      config: {},
      idempotencyKey: key,
      actor: { type: "system", id: null },
    }),
  );
  return requestId;
}

async function waitUntilSucceeded(database: DbHandle, ids: string[]): Promise<void> {
  for (;;) {
    const [row] = await database.db
      .select({ open: sql<number>`count(*) filter (where status <> 'succeeded')::int` })
      .from(provisioningRequests)
      .where(inArray(provisioningRequests.id, ids));
    if (!row?.open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function latenciesMs(database: DbHandle, ids: string[]): Promise<number[]> {
  const rows = await database.db
    .select({ ms: sql<number>`extract(epoch from (completed_at - created_at)) * 1000` })
    .from(provisioningRequests)
    .where(inArray(provisioningRequests.id, ids));
  return rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
}
