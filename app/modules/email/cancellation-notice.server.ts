import type { DbOrTx } from "#db/client";
import type { subscriptions } from "#db/schema";
import { longDate } from "~/lib/dates";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { queueEmail } from "./outbox.server";
import { subscriptionContinuesMessage, subscriptionEndingMessage } from "./templates";

type Mirrored = typeof subscriptions.$inferSelect;

/**
 * Tells the organisation's owners and admins when Stripe's cancellation at the period end was set
 * ("ends on …") or taken back ("continues"), in the transaction that mirrored it. `before` and
 * `after` are the mirror row before and after, under its lock, so each change is told once
 * whichever event (or reconciliation) brought it. An ended subscription is told by its pause.
 */
export async function queueCancellationNotices(
  tx: DbOrTx,
  appUrl: string,
  before: Mirrored,
  after: Mirrored,
): Promise<void> {
  if (before.cancelAtPeriodEnd === after.cancelAtPeriodEnd || after.endedAt) return;
  const catalog = await requireCatalog(tx);
  const planName = catalog.plans.find((plan) => plan.slug === after.planSlug)?.name ?? catalog.product.name;
  const day = after.currentPeriodEnd ? longDate(after.currentPeriodEnd) : "";
  const link = `${appUrl}/account/billing`;
  for (const recipient of await accountManagers(tx, after.accountId)) {
    const message = after.cancelAtPeriodEnd
      ? subscriptionEndingMessage(recipient.name, planName, day || "the end of the period", link)
      : subscriptionContinuesMessage(recipient.name, planName, day, link);
    await queueEmail(tx, { to: recipient.email, ...message });
  }
}
