import { sql } from "drizzle-orm";
import type { DbOrTx } from "./client";

export type JobOptions = {
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** A second job with the same key replaces the first while it waits. */
  jobKey?: string;
};

/**
 * Adds a graphile-worker job in the caller's transaction: the job exists exactly when the
 * change that caused it commits.
 */
export async function addJob(tx: DbOrTx, task: string, payload: object, options: JobOptions = {}): Promise<void> {
  await tx.execute(sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null},
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}
  )`);
}
