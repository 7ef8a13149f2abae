/**
 * The portal stops its database right after its worker (server/start.ts), so a worker's stop must
 * leave no connection open behind it: graphile-worker ends a pool it made without waiting, and a
 * database stopped in that gap made each closing connection log an error (CI, fresh clone, Ctrl-C).
 * A leaked pool would stay open for good, which this catches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { addJob } from "../../db/jobs";
import { startWorker } from "../../server/worker";
import { USAGE_PARTITIONS_TASK } from "../../app/modules/usage/tasks";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** Connections to the test database other than the test's own, by backend. */
async function otherConnections(): Promise<number> {
  const [row] = await database.sql<{ count: number }[]>`
    select count(*)::int as count from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`;
  return row!.count;
}

describe("a worker's stop", () => {
  it("resolves only once every connection it opened is closed", async () => {
    const baseline = await otherConnections();
    for (let round = 0; round < 3; round += 1) {
      const worker = await startWorker({
        databaseUrl: database.url,
        logger: createLogger("silent"),
        smtpUrl: "smtp://127.0.0.1:9",
        mailFrom: "Portal <no-reply@portal.test>",
        appUrl: "https://portal.test",
        sessionSecret: "worker-stop-test-secret-0123456789abcdef",
        stripe: createStripeClient({ emulatorPort: 9 }),
      });
      // Work in flight makes the pools open several connections each.
      await database.db.transaction((tx) => addJob(tx, USAGE_PARTITIONS_TASK, {}));
      await expect.poll(otherConnections, { timeout: 10_000 }).toBeGreaterThan(baseline + 2);
      await worker.stop(5_000);
      // A server process leaves the list a moment after its client closed the socket: polled briefly,
      // while a connection left open stays for good.
      await expect.poll(otherConnections, { timeout: 2_000, interval: 20 }).toBe(baseline);
    }
  });
});
