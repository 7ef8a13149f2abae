import { and, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { billingCustomers, orders, organisations, subscriptions, type BillingInterval } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { priceRowFor, requireCatalog } from "~/modules/catalog/catalog.server";
import { orderTotal, seatsError } from "~/modules/catalog/pricing";
import { activeTrial } from "~/modules/trials/trials.server";

export type CheckoutDeps = { db: Database; stripe: Stripe; appUrl: string };
/** `salesAssisted`: a staff member (`userId`) opens the checkout for the customer, for any plan including "contact us" ones. */
export type CheckoutInput = {
  accountId: string;
  userId: string;
  planSlug: string;
  interval: BillingInterval;
  seats: number;
  salesAssisted?: boolean;
};
type Order = typeof orders.$inferSelect;
export type CheckoutResult = { ok: true; url: string; order: Order } | { ok: false; field?: "seats"; message: string };

const LIVE_SUBSCRIPTION = ["active", "trialing", "past_due", "unpaid", "paused", "incomplete"];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates the order, then Stripe Checkout for it (the order id is the idempotency key and the
 * client_reference_id). A second click, or a second tab, goes to the same open checkout; an
 * organisation that already pays for the product is sent to change its plan instead.
 */
export async function startCheckout(
  { db, stripe, appUrl }: CheckoutDeps,
  input: CheckoutInput,
): Promise<CheckoutResult> {
  const catalog = await requireCatalog(db);
  const plan = catalog.plans.find((p) => p.slug === input.planSlug);
  if (!plan || (plan.salesMode !== "self_serve" && !input.salesAssisted))
    return { ok: false, message: "This plan is not sold online; talk to us instead." };
  const seatsProblem = seatsError(plan, input.seats);
  if (seatsProblem) return { ok: false, field: "seats", message: seatsProblem };
  const [live] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.accountId, input.accountId), inArray(subscriptions.status, LIVE_SUBSCRIPTION)));
  if (live)
    return {
      ok: false,
      message: "Your organisation already has a subscription. Change its plan or seats from your billing page.",
    };

  const price = await priceRowFor(db, catalog, plan, input.interval);
  if (!price?.stripePriceId)
    return { ok: false, message: "This plan cannot be bought online right now. Please try again later." };

  const [order] = await db
    .insert(orders)
    .values({
      accountId: input.accountId,
      orderedBy: input.userId,
      productSlug: catalog.product.slug,
      planSlug: plan.slug,
      interval: input.interval,
      seats: input.seats,
      currency: price.currency,
      totalAmount: orderTotal(plan, input.interval, input.seats),
      status: "checkout_open",
    })
    .onConflictDoNothing()
    .returning();
  if (!order) {
    const [open] = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.accountId, input.accountId),
          eq(orders.productSlug, catalog.product.slug),
          eq(orders.status, "checkout_open"),
        ),
      );
    if (open?.checkoutUrl) return { ok: true, url: open.checkoutUrl, order: open };
    return { ok: false, message: "A checkout for your organisation is being opened. Try again in a moment." };
  }

  try {
    const customer = await stripeCustomerFor(db, stripe, input.accountId);
    const trial = await activeTrial(db, input.accountId, catalog.product.slug);
    // Unused trial days carry over when enough are left for Stripe to accept a trial end.
    const trialEnd =
      trial && trial.endsAt.getTime() - Date.now() > 2 * DAY_MS ? Math.floor(trial.endsAt.getTime() / 1000) : undefined;
    const session = await stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer,
        client_reference_id: order.id,
        line_items: [{ price: price.stripePriceId, quantity: plan.pricingModel === "per_seat" ? input.seats : 1 }],
        success_url: `${appUrl}/orders/${order.id}?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${appUrl}/plans/${plan.slug}`,
        metadata: { order_id: order.id },
        subscription_data: {
          metadata: { order_id: order.id, account_id: input.accountId, seats: String(input.seats) },
          ...(trialEnd ? { trial_end: trialEnd } : {}),
        },
      },
      { idempotencyKey: `checkout:${order.id}` },
    );
    await db
      .update(orders)
      .set({ stripeCheckoutSessionId: session.id, checkoutUrl: session.url, updatedAt: sql`now()` })
      .where(eq(orders.id, order.id));
    await recordAudit(
      db,
      { type: input.salesAssisted ? "staff" : "user", id: input.userId },
      "order.checkout_opened",
      { type: "order", id: order.id },
      { plan: plan.slug, interval: input.interval, seats: input.seats },
      input.accountId,
    );
    return { ok: true, url: session.url!, order };
  } catch (error) {
    // The order never reached Stripe: free the slot so the customer can try again.
    await db
      .update(orders)
      .set({ status: "cancelled", updatedAt: sql`now()` })
      .where(eq(orders.id, order.id));
    throw error;
  }
}

/** The organisation's Stripe customer, created once (idempotently) on its first checkout. */
async function stripeCustomerFor(db: Database, stripe: Stripe, accountId: string): Promise<string> {
  const [known] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  if (known) return known.stripeCustomerId;
  const [organisation] = await db
    .select({ name: organisations.name })
    .from(organisations)
    .where(eq(organisations.id, accountId));
  const customer = await stripe.customers.create(
    { name: organisation?.name ?? accountId, metadata: { account_id: accountId } },
    { idempotencyKey: `customer:${accountId}` },
  );
  await db.insert(billingCustomers).values({ accountId, stripeCustomerId: customer.id }).onConflictDoNothing();
  const [saved] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  return saved!.stripeCustomerId;
}
