import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import type { TaskList } from "graphile-worker";
import type { Logger } from "../app/lib/logger.server";
import type { Database } from "../db/client";
import { isDatabaseUnavailable } from "../db/unavailable";

/** How long, in ms, a task waits for a lost database before its attempt fails as usual. */
export const OUTAGE_WAIT_MS = 60_000;
/** Waits between two looks at the database, doubling from the first to the last, in ms. */
const PROBE_MS = { first: 250, max: 4_000 };

/**
 * Wraps every task so a database outage does not spend its attempts (issue 12): a task that fails
 * because the database cannot be reached (`isDatabaseUnavailable`) waits until `db` answers again,
 * for up to `waitMs`, and runs again within the same attempt. Recording a failure needs the database
 * too, so failing at once during an outage would also lose the failure. Every task here may run twice
 * (ADR 6), so running the rest of a half-done one again is safe. Other errors, an outage longer than
 * `waitMs` and a shutdown (the job's abort signal) fail the attempt as before.
 */
export function waitOutOutages(tasks: TaskList, db: Database, log: Logger, waitMs = OUTAGE_WAIT_MS): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      async (payload: unknown, helpers: Parameters<NonNullable<TaskList[string]>>[1]) => {
        const giveUpAt = performance.now() + waitMs;
        for (;;) {
          try {
            return await task!(payload, helpers);
          } catch (error) {
            if (!isDatabaseUnavailable(error)) throw error;
            log.warn({ task: name, jobId: helpers.job.id }, "a job lost the database; it runs again once it answers");
            if (!(await databaseAnswers(db, giveUpAt, helpers.abortSignal))) throw error;
          }
        }
      },
    ]),
  );
}

/** Looks at the database with backoff until it answers (true), or until `giveUpAt` or an abort (false). */
async function databaseAnswers(db: Database, giveUpAt: number, signal: AbortSignal): Promise<boolean> {
  for (let wait = PROBE_MS.first; performance.now() + wait < giveUpAt; wait = Math.min(wait * 2, PROBE_MS.max)) {
    const aborted = await sleep(wait, false, { signal }).catch(() => true);
    if (aborted) return false;
    const answered = await db.execute(sql`select 1`).then(
      () => true,
      () => false,
    );
    if (answered) return true;
  }
  return false;
}
