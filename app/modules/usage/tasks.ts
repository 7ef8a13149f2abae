/**
 * Worker task names of the usage context (issue 15, ADR 21), shared by whoever queues them and
 * server/worker.ts, which runs them.
 */

/** Rolls new raw events up into the daily tables (by transaction id watermark), then queues ACTIVATION_TASK. */
export const USAGE_ROLLUP_TASK = "usage_rollup";
/** Creates next months' event partitions and drops those past the retention setting (daily). */
export const USAGE_PARTITIONS_TASK = "usage_partitions";
/** Records the milestones instances reached: payload `{ instanceIds: string[] }` (non-backfill events only). */
export const ACTIVATION_TASK = "activation_evaluate";
/** Sends lifecycle emails due (day 1 getting started, stalled onboarding on day 3), once each. */
export const LIFECYCLE_EMAILS_TASK = "lifecycle_emails_sweep";
