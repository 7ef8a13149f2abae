import { and, eq, isNotNull, lt } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, Transaction } from "#db/client";
import { orders } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { confirmCheckout } from "~/modules/orders/payment.server";
import type { StripeMoment } from "~/modules/metrics/ledger.server";
import { MRR_EXPAND, mrrInputOf, mrrOf } from "~/modules/metrics/mrr";
import { stripeNowOf } from "./stripe.server";
import {
  accountOfCustomer,
  alignService,
  billedPlanOf,
  idOf,
  lockSubscription,
  mirrorSubscription,
  type MirroredSubscription,
} from "./subscriptions.server";

/** An open checkout older than this whose webhook never came is asked about directly. */
const CHECKOUT_SETTLE_MS = 10 * 60_000;
/** The cause in a reconciliation repair's key; the key's last part, the request it starts from, makes it once per difference. */
const RECONCILE = "reconcile";

/**
 * The daily safety net behind webhooks. Open checkouts whose events never came are settled from
 * Stripe's session. Then every subscription Stripe has for one of our customers is compared three
 * ways: a mirror that drifted from Stripe (status, price, plan, users, cancel flag, period end,
 * MRR) is refreshed through the same path an event takes, the MRR change a lost event would have
 * written going to the ledger at Stripe's time of the run; and the service is compared with what is
 * billed, not with the mirror, so a service set up or left on another plan, other users, or
 * suspended/serving against the status is repaired too (`alignService`). Each repair is keyed by
 * the request it starts from, so a difference is repaired once, and a run that finds nothing
 * different asks for nothing. Returns the subscriptions checked and the orders and subscriptions
 * repaired; each subscription repair is audited.
 */
export async function reconcileBilling(
  db: Database,
  stripe: Stripe,
  now = new Date(),
): Promise<{ checked: number; repaired: string[] }> {
  const repaired: string[] = [];
  let checked = 0;
  const stale = await db
    .select({ id: orders.id, sessionId: orders.stripeCheckoutSessionId })
    .from(orders)
    .where(
      and(
        eq(orders.status, "checkout_open"),
        isNotNull(orders.stripeCheckoutSessionId),
        lt(orders.createdAt, new Date(now.getTime() - CHECKOUT_SETTLE_MS)),
      ),
    );
  for (const order of stale) {
    const settled = await confirmCheckout(db, stripe, order.sessionId!);
    if (settled && settled.status !== "checkout_open") repaired.push(order.id);
  }
  for await (const { subscription, moment } of everySubscription(stripe)) {
    const accountId = await accountOfCustomer(db, idOf(subscription.customer));
    if (!accountId) continue;
    checked += 1;
    if (await db.transaction((tx) => reconcileSubscription(tx, accountId, subscription, moment)))
      repaired.push(subscription.id);
  }
  return { checked, repaired };
}

/**
 * Every subscription Stripe has, with what the MRR rules read (discounts' coupons), each with the
 * moment of the page it came on: Stripe's clock from that answer's `Date` header, no event id.
 */
async function* everySubscription(
  stripe: Stripe,
): AsyncGenerator<{ subscription: Stripe.Subscription; moment: StripeMoment }> {
  let startingAfter: string | undefined;
  do {
    const page = await stripe.subscriptions.list({
      status: "all",
      limit: 100,
      expand: MRR_EXPAND.map((path) => `data.${path}`),
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    });
    const moment = { eventId: null, created: stripeNowOf(page) };
    for (const subscription of page.data) yield { subscription, moment };
    startingAfter = page.has_more ? page.data.at(-1)?.id : undefined;
  } while (startingAfter);
}

/**
 * One subscription, under its lock: the mirror from Stripe if it drifted, with the MRR change it
 * missed written to the ledger at Stripe's time of the reconciliation (ADR 24), then the service
 * from the mirror.
 */
async function reconcileSubscription(
  tx: Transaction,
  accountId: string,
  subscription: Stripe.Subscription,
  moment: StripeMoment,
): Promise<boolean> {
  const before = await lockSubscription(tx, subscription.id);
  const billed = await billedPlanOf(tx, subscription);
  const mirrorDrifted = !before || drifted(before, subscription, billed, moment);
  const mirrored = mirrorDrifted ? await mirrorSubscription(tx, accountId, subscription, before, moment) : before;
  const work = await alignService(tx, mirrored, RECONCILE);
  if (!mirrorDrifted && work.length === 0) return false;
  await recordAudit(
    tx,
    systemActor,
    "subscription.reconciled",
    { type: "subscription", id: subscription.id },
    { mirrorDrifted, provisioning: work, status: subscription.status, ...billed },
    accountId,
  );
  return true;
}

function drifted(
  mirrored: MirroredSubscription,
  subscription: Stripe.Subscription,
  billed: Awaited<ReturnType<typeof billedPlanOf>>,
  moment: StripeMoment,
): boolean {
  const item = subscription.items.data[0];
  const periodEnd = item?.current_period_end ? item.current_period_end * 1000 : null;
  return (
    mirrored.status !== subscription.status ||
    mirrored.mrrMinor !== mrrOf(mrrInputOf(subscription), moment.created) ||
    mirrored.stripePriceId !== billed.stripePriceId ||
    (billed.planSlug !== null && mirrored.planSlug !== billed.planSlug) ||
    mirrored.quantity !== billed.seats ||
    mirrored.cancelAtPeriodEnd !== subscription.cancel_at_period_end ||
    (mirrored.currentPeriodEnd?.getTime() ?? null) !== periodEnd
  );
}
