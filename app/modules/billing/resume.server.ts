import type Stripe from "stripe";
import type { Database } from "#db/client";
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
 * The idempotency key names the mirror's state, so two tabs make one call and a later
 * cancel-and-resume makes a new one. Audited as `subscription.resumed` by `userId`. A subscription
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
  try {
    await deps.stripe.subscriptions.update(
      mirrored.id,
      { cancel_at_period_end: false },
      { idempotencyKey: `resume:${mirrored.id}:${mirrored.updatedAt.getTime()}` },
    );
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "resume your subscription").message };
  }
  dropBillingSummary(accountId);
  await recordAudit(
    deps.db,
    { type: "user", id: userId },
    "subscription.resumed",
    { type: "subscription", id: mirrored.id },
    { periodEnd: mirrored.currentPeriodEnd?.toISOString() ?? null },
    accountId,
  );
  return { ok: true };
}
