import type { DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";
import { CS_QUEUE, CS_REFRESH_ACCOUNT_TASK } from "./tasks";

/**
 * Queues a recompute of one account's standing (stage, health, PQL, playbooks) in the caller's
 * transaction, one waiting job per account (job key), so a change staff should see at once — a
 * trial started, an order paid, an override — does not wait for the hourly run (ADR 22).
 */
export async function queueAccountRefresh(tx: DbOrTx, accountId: string): Promise<void> {
  await addJob(
    tx,
    CS_REFRESH_ACCOUNT_TASK,
    { accountId },
    { queueName: CS_QUEUE, jobKey: `${CS_REFRESH_ACCOUNT_TASK}:${accountId}` },
  );
}
