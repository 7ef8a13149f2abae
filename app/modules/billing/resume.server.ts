import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { auditEvents, subscriptions } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { dropBillingSummary } from "./billing-summary.server";
import { stripeFailure } from "./stripe-failure";
import { currentSubscription } from "./subscriptions.server";

export type ResumeResult = { ok: true } | { ok: false; message: string };

/**
 * Takes back a cancellation at the period end: Stripe's subscription gets `cancel_at_period_end:
 * false` (Stripe API: update a subscription). The mirror is not written here: the
 * `customer.subscription.updated` webhook brings it, and with it the "continues" email
 * (cancellation-notice.server.ts), so the page and the email follow Stripe, never this request.
 * The idempotency key names the mirror's state, so two tabs make one change and a later
 * cancel-and-resume makes a new one; the audit (`subscription.resumed` by `userId`) is recorded
 * once per key, under the mirror row's lock, so two tabs record it once. A subscription
 * not cancelling answers ok (nothing to do); Stripe's errors answer a sentence, never throw.
 */
export async function resumeSubscription(
  deps: { db: Database; stripe: Stripe },
  accountId: string,
  userId: string,
): Promise<ResumeResult> {
  const mirrored = await currentSubscription(deps.db, accountId);
  if (!mirrored) return { ok: false, message: "Your organisation has no subscription to resume. Choose a plan." };
  if (!mirrored.cancelAtPeriodEnd) return { ok: true };
  const request = `resume:${mirrored.id}:${mirrored.updatedAt.getTime()}`;
  try {
    await deps.stripe.subscriptions.update(mirrored.id, { cancel_at_period_end: false }, { idempotencyKey: request });
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "resume your subscription").message };
  }
  dropBillingSummary(accountId);
  await deps.db.transaction(async (tx) => {
    await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(eq(subscriptions.id, mirrored.id))
      .for("update");
    const [recorded] = await tx
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.subjectType, "subscription"),
          eq(auditEvents.subjectId, mirrored.id),
          eq(auditEvents.action, "subscription.resumed"),
          sql`${auditEvents.details} ->> 'request' = ${request}`,
        ),
      )
      .limit(1);
    if (recorded) return;
    await recordAudit(
      tx,
      { type: "user", id: userId },
      "subscription.resumed",
      { type: "subscription", id: mirrored.id },
      { periodEnd: mirrored.currentPeriodEnd?.toISOString() ?? null, request },
      accountId,
    );
  });
  return { ok: true };
}
