import type { JobHelpers, Task } from "graphile-worker";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../app/lib/logger.server";
import { connectDb } from "../db/client";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../test/support/database";
import { waitOutOutages } from "./outage-wait";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const log = createLogger("silent");
/** What graphile-worker hands a task; only the job id and the abort signal are read. */
const helpers = (signal = new AbortController().signal) => ({ job: { id: "1" }, abortSignal: signal }) as JobHelpers;
/** postgres.js's error for a connection the server cut. */
const connectionClosed = () =>
  Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });

/** A task that throws `failures` in turn, then succeeds; counts its runs. */
function flaky(failures: Error[]) {
  const task = Object.assign(
    (async () => {
      task.runs += 1;
      const failure = failures.shift();
      if (failure) throw failure;
    }) as Task,
    { runs: 0 },
  );
  return task;
}

describe("a job that loses the database", () => {
  it("runs again in the same attempt once the database answers", async () => {
    const task = flaky([connectionClosed(), connectionClosed()]);
    const { job } = waitOutOutages({ job: task }, database.db, log);
    await expect(job!({}, helpers())).resolves.toBeUndefined();
    expect(task.runs).toBe(3);
  });

  it("fails its attempt at once for any other error", async () => {
    const task = flaky([new Error("a bug")]);
    const { job } = waitOutOutages({ job: task }, database.db, log);
    await expect(job!({}, helpers())).rejects.toThrow("a bug");
    expect(task.runs).toBe(1);
  });

  it("fails its attempt when the database stays away longer than the wait, or at a shutdown", async () => {
    const nowhere = connectDb(`postgres://postgres@127.0.0.1:${await getPort()}/postgres`, { max: 1 });
    try {
      const task = flaky([connectionClosed()]);
      const { job } = waitOutOutages({ job: task }, nowhere.db, log, 1_000);
      await expect(job!({}, helpers())).rejects.toThrow("CONNECTION_CLOSED");
      expect(task.runs).toBe(1);

      const shutdown = new AbortController();
      const waiting = waitOutOutages({ job: flaky([connectionClosed()]) }, nowhere.db, log)["job"]!(
        {},
        helpers(shutdown.signal),
      );
      shutdown.abort();
      await expect(waiting).rejects.toThrow("CONNECTION_CLOSED");
    } finally {
      await nowhere.close();
    }
  });
});
