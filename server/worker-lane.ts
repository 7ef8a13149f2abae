import { EventEmitter } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { run, type RunnerOptions, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import type { Logger } from "../app/lib/logger.server";
import type { DbHandle } from "../db/client";
import { eq } from "drizzle-orm";
import { workerHeartbeats } from "../db/schema";
import { isDatabaseUnavailable } from "../db/unavailable";
import { releaseWorkerJobs } from "../provisioning";
import { trackHeldJobs } from "./held-jobs";
import { startHeartbeat, type Heartbeat } from "./worker-liveness";
import { boundShutdown, superviseRunner } from "./worker-supervisor";

export type Lane = {
  /**
   * Stops taking jobs at once and lets running ones finish for up to `timeoutMs`; those still
   * running then are released to other workers (their locks freed) instead of waiting for a sweep.
   */
  stop: (timeoutMs: number) => Promise<void>;
};

type LaneOptions = {
  /**
   * graphile-worker's options for this lane's runner (task list, concurrency…), without `events`
   * or `pgPool`: `connectionString` and `maxPoolSize` make the lane's own pool (`openPool`).
   */
  runner: Omit<RunnerOptions, "pgPool" | "events"> & { connectionString: string };
  databaseUrl: string;
  /** The worker's own pool: heartbeats sweep and release jobs through it. */
  database: DbHandle;
  log: Logger;
  /** Set once this lane's jobs were released at a stop: their failures on a closing pool are expected. */
  onReleased: () => void;
};

/**
 * One lane of work: a graphile-worker runner kept going through database losses
 * (`superviseRunner`), announced by a heartbeat under the pool's id, the value it writes into
 * `locked_by` (ADR 6), which also frees any lock of its own the runner lost track of. A runner the
 * other workers declared dead (frozen past the silence) is killed, and the supervisor starts a new
 * one under a new id.
 */
export async function startLane({ runner: runnerOptions, databaseUrl, database, log, onReleased }: LaneOptions) {
  const { connectionString, maxPoolSize, ...graphileOptions } = runnerOptions;
  let current: { workerId: string; heartbeat: Heartbeat; retired: Promise<void> } | null = null;
  let stopping = false;
  const supervisor = await superviseRunner(async () => {
    let workerId = "";
    const events: WorkerEvents = new EventEmitter();
    events.on("pool:create", ({ workerPool }) => (workerId = workerPool.id));
    const held = trackHeldJobs(events);
    const pool = openPool(connectionString, maxPoolSize, log, () => stopping);
    const started = await run({ ...graphileOptions, pgPool: pool, events }).catch(async (error: unknown) => {
      await endPool(pool);
      throw error;
    });
    const runner = boundShutdown(started, events, log);
    const heartbeat = await startHeartbeat({
      databaseUrl,
      workerId,
      db: database.db,
      log,
      onFenced: () => void runner.kill("declared dead by the other workers").catch(() => {}),
      heldJobs: held.ids,
    }).catch(async (error: unknown) => {
      await runner.stop().catch(() => {});
      await endPool(pool);
      throw error;
    });
    // A runner that ended by itself (its pool died with the database) runs nothing any more: its
    // locks are freed as soon as the database answers, not after the liveness sweep's silence.
    const retire = async () => {
      await heartbeat.stop().catch(() => {});
      await Promise.all([endPool(pool), stopping ? null : releaseDeadRunner(database, workerId, log, () => stopping)]);
    };
    current = { workerId, heartbeat, retired: runner.promise.then(retire, retire) };
    return runner;
  }, log);

  const lane: Lane = {
    stop: async (timeoutMs) => {
      stopping = true;
      const finished = supervisor.stop().then(
        () => true,
        (error: unknown) => {
          log.error({ err: error }, "worker stopped with an error");
          return true;
        },
      );
      const timer = new AbortController();
      const inTime = await Promise.race([
        finished,
        delay(timeoutMs, false, { signal: timer.signal }).catch(() => true),
      ]);
      timer.abort();
      if (!inTime && current) {
        onReleased();
        const { workerId } = current;
        await database.db
          .transaction((tx) => releaseWorkerJobs(tx, [workerId]))
          .catch((error: unknown) =>
            log.error({ err: error }, "could not release the running jobs; the liveness sweep will"),
          );
        log.warn({ workerId }, "jobs still running at the stop deadline were released to other workers");
      }
      await current?.heartbeat.stop().catch(() => {});
      // Its connections closed before the caller goes on (to stopping the database, say); jobs released
      // at the deadline may still hold one, and the pool's errors are quiet from now on.
      if (inTime) await current?.retired;
    },
  };
  return lane;
}

/** How long, in ms, closing a runner's pool may take before the lane goes on without waiting. */
const POOL_END_MS = 3_000;

/**
 * A runner's own pg pool. graphile-worker ends a pool it made without waiting for its connections
 * to close (`makeNewPool` in its lib.js), so a database stopped right after the runner saw them
 * open and each one reported an error; a pool of the lane's own is closed (`endPool`) before the
 * lane's stop resolves. Its connection errors are an outage while running (warn) and expected
 * once `stopping()` (debug).
 */
function openPool(connectionString: string, max: number | undefined, log: Logger, stopping: () => boolean) {
  const pool = new pg.Pool({ connectionString, max: max ?? 10 });
  const onError = (error: Error) =>
    log[stopping() ? "debug" : "warn"]({ reason: error.message }, "a job worker connection failed");
  pool.on("error", onError);
  pool.on("connect", (client) => client.on("error", onError));
  return pool;
}

/** Ends `pool`, waiting for its connections to close for at most POOL_END_MS. Never rejects. */
async function endPool(pool: pg.Pool) {
  const timer = new AbortController();
  await Promise.race([
    pool.end().catch(() => {}),
    delay(POOL_END_MS, undefined, { signal: timer.signal }).catch(() => {}),
  ]);
  timer.abort();
}

/** Tries to free a dead runner's jobs once a second for this long, in ms, while the database is away. */
const RETIRE_TRIES = 60;

/**
 * Frees every lock of a runner whose pool has ended (`releaseWorkerJobs`) and forgets its heartbeat,
 * trying again each second while the database is unreachable, until `stopping()`.
 */
async function releaseDeadRunner(database: DbHandle, workerId: string, log: Logger, stopping: () => boolean) {
  for (let tries = 0; tries < RETIRE_TRIES && !stopping(); tries++) {
    try {
      await database.db.transaction(async (tx) => {
        await releaseWorkerJobs(tx, [workerId]);
        await tx.delete(workerHeartbeats).where(eq(workerHeartbeats.workerId, workerId));
      });
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        log.warn({ err: error, workerId }, "could not free the jobs of a worker that ended; the liveness sweep will");
        return;
      }
      await delay(1_000);
    }
  }
}
