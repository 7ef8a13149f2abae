import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { provisioningRequests, serviceInstances, subscriptions } from "#db/schema";

export type PausedService = {
  instanceId: string;
  planName: string;
  /** When the suspend request completed (UTC). */
  pausedAt: Date;
  /** Why, and what to do: a sentence, with the page where to do it. */
  reason: { sentence: string; path: string };
};

/**
 * The organisation's paused services (instances `suspended`), each with when it was paused (the latest
 * succeeded suspend request) and why, newest first. Trials are left out: the trial card tells theirs.
 */
// The correlated subqueries name service_instances.id in full: drizzle writes a lone table's columns unqualified.
export async function pausedServices(db: DbOrTx, accountId: string): Promise<PausedService[]> {
  const rows = await db
    .select({
      instanceId: serviceInstances.id,
      planName: sql<string>`${serviceInstances.snapshot}->>'planName'`,
      pausedAt: sql<Date | null>`(select max(r.completed_at) from ${provisioningRequests} r
        where r.instance_id = service_instances.id and r.operation = 'suspend' and r.status = 'succeeded')`.mapWith(
        (value: string | null) => (value ? new Date(value) : null),
      ),
    })
    .from(serviceInstances)
    .where(
      and(
        eq(serviceInstances.accountId, accountId),
        eq(serviceInstances.status, "suspended"),
        sql`not exists (select 1 from trials t where t.instance_id = service_instances.id and t.status <> 'converted')`,
      ),
    )
    .orderBy(desc(serviceInstances.updatedAt));
  const paused: PausedService[] = [];
  for (const { pausedAt, ...row } of rows) {
    // An instance suspended by a request not yet finished is not paused yet.
    if (pausedAt) paused.push({ ...row, pausedAt, reason: await pauseReason(db, row.instanceId) });
  }
  return paused;
}

/** Why an instance was paused, from its subscription in the mirror, with where to act. */
export async function pauseReason(tx: DbOrTx, instanceId: string): Promise<{ sentence: string; path: string }> {
  const [subscription] = await tx
    .select({ status: subscriptions.status })
    .from(subscriptions)
    .where(eq(subscriptions.instanceId, instanceId))
    .orderBy(desc(subscriptions.updatedAt))
    .limit(1);
  return pauseReasonOf(subscription?.status);
}

/** Why a service is paused, by the status of its subscription in the mirror (undefined: none), with where to act. */
export function pauseReasonOf(status: string | undefined): { sentence: string; path: string } {
  switch (status) {
    case "unpaid":
    case "past_due":
    case "incomplete":
      return {
        sentence:
          "We could not take your payment. Update your card on the billing page: once the payment goes through, your service runs again by itself.",
        path: "/account/billing",
      };
    case "paused":
      return {
        sentence: "Your subscription is paused. Resume it on the billing page and your service runs again.",
        path: "/account/billing",
      };
    case "canceled":
    case "incomplete_expired":
      return {
        sentence:
          "Your subscription has ended. Your data is kept for 30 days: choose a plan before then to continue where you left off.",
        path: "/pricing",
      };
    default:
      return { sentence: "See your account page for what to do, or reply to this email.", path: "/account" };
  }
}
