/**
 * Worker task names of customer success (issue 16), shared by whoever queues them and
 * server/worker.ts, which runs them. All run in one queue (`CS_QUEUE`), one at a time, so a full
 * refresh, an account's refresh and a recompute of history never write the same rows at once.
 */

/** The graphile-worker queue every customer-success job runs in. */
export const CS_QUEUE = "customer_success";
/** Recomputes every account's standing and today's snapshot (hourly, and after weights change). */
export const CS_REFRESH_ALL_TASK = "cs_refresh_all";
/** Recomputes one account: payload `{ accountId }`, job key per account (queued when an override is set or cleared). */
export const CS_REFRESH_ACCOUNT_TASK = "cs_refresh_account";
/** Re-scores stored snapshots with the weights in force: payload `{}` (queued by a staff admin, explicitly). */
export const CS_RECOMPUTE_HISTORY_TASK = "cs_recompute_history";
