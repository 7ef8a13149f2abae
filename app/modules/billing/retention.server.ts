import { and, eq, isNull, lte } from "drizzle-orm";
import type { Database } from "#db/client";
import { subscriptions } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { requestInstanceChange } from "./instance-changes.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a cancelled subscription's service is kept (suspended) before it is removed. */
export const SUBSCRIPTION_RETENTION_MS = 30 * DAY_MS;
const BATCH = 100;

/**
 * Removes the service of subscriptions that ended more than the retention period ago. Rows are
 * locked with SKIP LOCKED and marked in the same transaction, so overlapping sweeps never act twice.
 */
export async function sweepEndedSubscriptions(db: Database, now = new Date()): Promise<number> {
  let removed = 0;
  for (;;) {
    const handled = await db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.status, "canceled"),
            isNull(subscriptions.deprovisionRequestedAt),
            lte(subscriptions.endedAt, new Date(now.getTime() - SUBSCRIPTION_RETENTION_MS)),
          ),
        )
        .limit(BATCH)
        .for("update", { skipLocked: true });
      for (const subscription of due) {
        await tx
          .update(subscriptions)
          .set({ deprovisionRequestedAt: now })
          .where(eq(subscriptions.id, subscription.id));
        if (subscription.instanceId && subscription.planSlug) {
          await requestInstanceChange(tx, {
            accountId: subscription.accountId,
            instanceId: subscription.instanceId,
            planSlug: subscription.planSlug,
            seats: subscription.quantity,
            operation: "deprovision",
            key: `subscription:${subscription.id}:deprovision`,
          });
        }
        await recordAudit(
          tx,
          systemActor,
          "subscription.removed",
          { type: "subscription", id: subscription.id },
          { endedAt: subscription.endedAt },
          subscription.accountId,
        );
      }
      return due.length;
    });
    removed += handled;
    if (handled < BATCH) return removed;
  }
}
