import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";
import { reason } from "./error";

/** Waits between attempts to start PostgreSQL again, doubling from the first to the last, in ms. */
const BACKOFF_MS = { first: 100, max: 2_000 };

export type ServerSupervisor = {
  /** The process id of the postmaster started last (the running one, unless it is being restarted). */
  pid: () => number;
  /** Ends supervision; resolves once no restart is under way, so the caller can stop what runs. */
  stop: () => Promise<void>;
};

/**
 * Starts the embedded server again whenever it exits without being asked to (kill -9, a crash, a
 * fast shutdown by someone else): no person is there to do it. The first attempt is at once;
 * failed ones (a killed postmaster's backends may still hold its shared memory for a moment) are
 * retried with backoff (100 ms doubling to 2 s) until one succeeds or `stop` is called.
 * @param start starts the server on the same cluster and port; rejects when it cannot.
 * @param notice what happened, in a sentence, for the person reading the log.
 */
export function superviseServer(
  first: ChildProcess,
  start: () => Promise<ChildProcess>,
  notice: (message: string) => void,
): ServerSupervisor {
  let pid = first.pid!;
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  // A stop cuts a wait short instead of leaving it to run out.
  const stopped = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => {});

  const restart = async () => {
    for (let delay = BACKOFF_MS.first; !stopping; delay = Math.min(delay * 2, BACKOFF_MS.max)) {
      try {
        const child = await start();
        pid = child.pid!;
        watch(child);
        notice(`PostgreSQL is running again (process ${pid}).`);
        return;
      } catch (error) {
        notice(`PostgreSQL could not start again (${reason(error)}); trying again in ${delay} ms.`);
        await pause(delay);
      }
    }
  };
  const watch = (child: ChildProcess) =>
    child.once("exit", (code, signal) => {
      if (stopping) return;
      notice(`PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); starting it again.`);
      restarting = restart();
    });
  watch(first);

  return {
    pid: () => pid,
    stop: async () => {
      stopping = true;
      stopped.abort();
      await restarting;
    },
  };
}
