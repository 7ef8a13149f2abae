import { setTimeout as sleep } from "node:timers/promises";
import type { Runner, WorkerEvents } from "graphile-worker";
import type { Logger } from "../app/lib/logger.server";
import { isDatabaseUnavailable } from "../db/unavailable";

export type SupervisedRunner = {
  /** Stops the runner that is running now (its jobs finish first), or the wait for the next one. */
  stop: () => Promise<void>;
};

/**
 * How long, in ms, a runner whose pool began shutting down may take to end before it counts as
 * ended: `started` after the shutdown began, `settled` after its jobs all finished.
 */
export const SHUTDOWN_LIMIT_MS = { started: 10_000, settled: 1_000 };

/**
 * `runner`, with a promise that also resolves once its pool has been shutting down for too long
 * (SHUTDOWN_LIMIT_MS). graphile-worker 0.17.3 can leave a runner's promise pending for good after
 * its pool shut down: two failed completion batches (the database went away) drive its batcher's
 * pending count below zero, and `terminate()` then waits for it to reach zero (`batch()` in its
 * main.js; 0.18 is the same). Such a runner fetches nothing, yet `superviseRunner` would wait on it
 * forever. The limit from the start outlasts graphile-worker's abort of running jobs (5 s after the
 * shutdown begins), so jobs it still holds were told to stop before a new runner is given them.
 */
export function boundShutdown(runner: Runner, events: WorkerEvents, log: Logger, limitMs = SHUTDOWN_LIMIT_MS): Runner {
  let timer: NodeJS.Timeout | undefined;
  let deadline = Number.POSITIVE_INFINITY;
  const promise = new Promise<void>((resolve, reject) => {
    const endWithin = (ms: number, workerId: string) => {
      if (performance.now() + ms >= deadline) return;
      deadline = performance.now() + ms;
      clearTimeout(timer);
      timer = setTimeout(() => {
        log.warn({ workerId }, "the job worker's pool did not finish shutting down; it counts as ended");
        resolve();
      }, ms).unref();
    };
    events.once("pool:gracefulShutdown", ({ workerPool }) => endWithin(limitMs.started, workerPool.id));
    events.once("pool:gracefulShutdown:complete", ({ workerPool }) => endWithin(limitMs.settled, workerPool.id));
    runner.promise.then(resolve, reject);
  }).finally(() => clearTimeout(timer));
  return { ...runner, promise };
}

/** Waits between attempts to start a new runner, doubling from the first to the last, in ms. */
const BACKOFF_MS = { first: 250, max: 4_000 };

/**
 * Keeps a graphile-worker runner going. A runner dies when its database goes away (its promise
 * rejects: ECONNREFUSED, "terminating connection due to administrator command"); that is an
 * outage, not a crash, so the loss is logged once and a new runner is started as soon as the
 * database answers again, trying with backoff (250 ms doubling to 4 s). The caller frees the jobs the
 * dead runner held (`startLane`); every task may run twice. A runner stuck in its shutdown counts as
 * dead only if `start` wrapped it with `boundShutdown`.
 * @param start starts one runner; it rejects while the database is unreachable.
 * @throws whatever the first `start` throws: a worker that cannot start at all fails the start.
 */
export async function superviseRunner(start: () => Promise<Runner>, log: Logger): Promise<SupervisedRunner> {
  let current: Runner | null = await start();
  let stopping = false;
  // A stop cuts a wait short instead of leaving it to run out.
  const stopped = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => {});

  const supervise = async (): Promise<void> => {
    while (current) {
      const error = await current.promise.then(
        () => null,
        (reason: unknown) => reason,
      );
      current = null;
      if (stopping) return;
      // graphile-worker resolves the promise of a runner whose worker pool died, with no error.
      if (error === null || isDatabaseUnavailable(error)) {
        log.warn("the job worker lost the database; it starts again once the database answers");
      } else {
        log.error({ err: error }, "the job worker stopped unexpectedly; starting it again");
      }
      for (let delay = BACKOFF_MS.first; !current && !stopping; delay = Math.min(delay * 2, BACKOFF_MS.max)) {
        await pause(delay);
        if (stopping) return;
        current = await start().catch(() => null);
      }
      // A stop that came while the new runner was starting: nobody else will stop it.
      if (stopping) return current?.stop();
      log.info("the job worker is running again");
    }
  };
  const supervision = supervise();

  return {
    stop: async () => {
      stopping = true;
      stopped.abort();
      await current?.stop().catch(() => {});
      await supervision;
    },
  };
}
