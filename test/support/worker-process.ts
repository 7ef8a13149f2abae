/**
 * A worker process for crash tests: runs provisioning jobs with a "slow" provisioner that records
 * each execution and then, with HANG=1, never finishes (so the test can kill it mid-request). It
 * announces itself with the portal's heartbeat, so it frees the jobs of dead workers as the portal does.
 */
import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import { Logger, run, type WorkerEvents } from "graphile-worker";
import { createLogger } from "../../app/lib/logger.server";
import { trackHeldJobs } from "../../server/held-jobs";
import { startHeartbeat } from "../../server/worker-liveness";
import { connectDb } from "../../db/client";
import { outcome, ProvisionerRegistry, provisioningTasks, type Provisioner } from "../../provisioning";

const database = connectDb(process.env.DATABASE_URL!, { max: 4 });
const slow: Provisioner = {
  key: "slow",
  mode: "automatic",
  async execute(job) {
    await database.db.execute(sql`insert into crash_test_executions (request_id) values (${job.id})`);
    if (process.env.HANG) await new Promise(() => {});
    return outcome.done({ workspace_url: "https://after-crash.example.test" });
  },
};
let workerId = "";
const events: WorkerEvents = new EventEmitter();
events.on("pool:create", ({ workerPool }) => (workerId = workerPool.id));
const held = trackHeldJobs(events);
await run({
  events,
  connectionString: process.env.DATABASE_URL!,
  concurrency: 1,
  noHandleSignals: true,
  pollInterval: 100,
  logger: new Logger(() => () => {}),
  taskList: provisioningTasks(database.db, {
    registry: new ProvisionerRegistry([slow]),
    callbackUrl: (id) => `http://127.0.0.1/cb/${id}`,
  }),
});
await startHeartbeat({
  databaseUrl: process.env.DATABASE_URL!,
  workerId,
  db: database.db,
  log: createLogger("silent"),
  onFenced: () => process.exit(1),
  heldJobs: held.ids,
});
console.log("worker ready");
