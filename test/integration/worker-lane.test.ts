/**
 * Issue 12: a lane's runner that loses the database while its jobs finish must be replaced once the
 * database is back, however its shutdown goes. graphile-worker 0.17.3 can leave such a runner's
 * promise pending for good (two failed completion batches drive its batcher's pending count below
 * zero, so `terminate()` waits forever): under load after a PostgreSQL restart, the main lane went
 * silent with 48 webhooks due. The worker reaches the database through a proxy the test cuts.
 */
import { setTimeout as delay } from "node:timers/promises";
import { Logger } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { connectDb, type DbHandle } from "../../db/client";
import { batchedJobsPreset } from "../../server/worker";
import { startLane, type Lane } from "../../server/worker-lane";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

let database: TestDatabase;
let proxy: TcpProxy;
let workerDb: DbHandle;
let lane: Lane | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startTcpProxy(database.url);
  workerDb = connectDb(proxy.url, { max: 4 });
});
afterAll(async () => {
  await lane?.stop(1_000);
  await workerDb?.close();
  await proxy?.close();
  await dropTestDatabase(database);
});

const CONCURRENCY = 5;

describe("a lane whose runner lost the database while completing jobs", () => {
  it("runs every job once the database is back, within 15 s", async () => {
    // Jobs wait at a gate until released, so the test decides when their completions are written.
    const waiting: (() => void)[] = [];
    let gateOpen = false;
    const gate = () => (gateOpen ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)));
    lane = await startLane({
      runner: {
        connectionString: proxy.url,
        concurrency: CONCURRENCY,
        preset: batchedJobsPreset(CONCURRENCY),
        noHandleSignals: true,
        pollInterval: 200,
        logger: new Logger(() => () => {}),
        taskList: { gated: gate },
      },
      databaseUrl: proxy.url,
      database: workerDb,
      log: createLogger("silent"),
      onReleased: () => {},
    });
    await database.sql`select graphile_worker.add_job('gated', json_build_object('n', n)) from generate_series(1, 10) n`;
    await expect.poll(() => waiting.length, { timeout: 10_000 }).toBe(CONCURRENCY);

    await proxy.cut();
    // Completions written one by one while the database is away: each batch fails on its own.
    gateOpen = true;
    for (const finish of waiting.splice(0)) {
      finish();
      await delay(100);
    }
    await delay(1_000);
    await proxy.restore();

    await expect
      .poll(async () => (await database.sql`select count(*)::int as n from graphile_worker._private_jobs`)[0]!.n, {
        timeout: 15_000,
        interval: 250,
      })
      .toBe(0);
  }, 45_000);
});
