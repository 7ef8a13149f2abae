import { sql } from "drizzle-orm";
import type { Logger } from "../app/lib/logger.server";
import { connectDb, type Database } from "../db/client";
import { releaseStrayJobs, unlockAbandonedJobs, WORKER_SILENCE_MS } from "../provisioning";

/** How often a worker renews its heartbeat: several beats fit in the silence that makes it dead. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** How often each worker looks for dead ones: a killed worker's jobs resume within silence + this. */
export const LIVENESS_SWEEP_INTERVAL_MS = 15_000;

export type Heartbeat = {
  /** Stops beating and sweeping and deletes the row, so the worker counts as gone at once. */
  stop: () => Promise<void>;
};

type HeartbeatOptions = {
  databaseUrl: string;
  /** graphile-worker's pool id: what it writes into `locked_by`. */
  workerId: string;
  /** The worker's pool, for the sweep (the heartbeat keeps a connection of its own). */
  db: Database;
  log: Logger;
  /** Called once if the other workers declared this one dead (its row is gone): its jobs may run elsewhere now. */
  onFenced: () => void;
  /** The ids of the jobs the worker knows it holds (`trackHeldJobs`); any other lock of its own is freed. */
  heldJobs: () => readonly string[];
};

/**
 * Announces a worker (ADR 6): registers `workerId` in `worker_heartbeats`, renews it every
 * HEARTBEAT_INTERVAL_MS on a connection of its own (so busy jobs never delay a beat), after each beat
 * frees the locks it holds without knowing (`releaseStrayJobs`: lost to a database outage), and every
 * LIVENESS_SWEEP_INTERVAL_MS frees the jobs of workers silent for WORKER_SILENCE_MS. It sweeps only
 * after beating without a gap for that long itself: after a database outage every worker's row is
 * stale, and none may declare another dead before all had the time to beat again. Resolves once registered.
 */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const { workerId, log } = options;
  const connection = connectDb(options.databaseUrl, { max: 1 });
  await connection.db.execute(sql`insert into worker_heartbeats (worker_id) values (${workerId})`);
  let beatingSince = performance.now();
  let stopped = false;
  let fenced = false;

  const beat = async () => {
    try {
      const renewed = await connection.db.execute(
        sql`update worker_heartbeats set beat_at = now() where worker_id = ${workerId} returning 1`,
      );
      if (renewed.length === 0 && !stopped && !fenced) {
        fenced = true;
        log.error({ workerId }, "this worker was silent too long and declared dead; its jobs were given to others");
        options.onFenced();
      }
    } catch (error) {
      // The sweep's grace starts again once beats get through.
      beatingSince = Number.POSITIVE_INFINITY;
      log.warn({ err: error, workerId }, "worker heartbeat failed");
      return;
    }
    if (beatingSince === Number.POSITIVE_INFINITY) beatingSince = performance.now();
    if (fenced || stopped) return;
    try {
      const freed = await connection.db.transaction((tx) => releaseStrayJobs(tx, workerId, options.heldJobs()));
      if (freed.length) log.warn({ workerId, jobs: freed }, "freed jobs this worker had lost track of; they run again");
    } catch (error) {
      log.warn({ err: error, workerId }, "could not look for jobs this worker lost track of");
    }
  };
  const sweep = async () => {
    if (performance.now() - beatingSince < WORKER_SILENCE_MS) return;
    try {
      const freed = await unlockAbandonedJobs(options.db);
      if (freed) log.warn({ workers: freed }, "freed the jobs of workers that stopped announcing themselves");
    } catch (error) {
      log.warn({ err: error }, "liveness sweep failed");
    }
  };

  let beating: Promise<void> = Promise.resolve();
  let sweeping: Promise<void> = Promise.resolve();
  const beatTimer = setInterval(() => {
    beating = beating.then(beat);
  }, HEARTBEAT_INTERVAL_MS).unref();
  const sweepTimer = setInterval(() => {
    sweeping = sweeping.then(sweep);
  }, LIVENESS_SWEEP_INTERVAL_MS).unref();

  return {
    stop: async () => {
      stopped = true;
      clearInterval(beatTimer);
      clearInterval(sweepTimer);
      await Promise.all([beating, sweeping]);
      await connection.db
        .execute(sql`delete from worker_heartbeats where worker_id = ${workerId}`)
        .catch((error: unknown) => log.warn({ err: error, workerId }, "could not delete the worker's heartbeat"));
      await connection.close();
    },
  };
}
