import { and, eq, inArray, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "#db/client";
import { billingCustomers, orders, subscriptions, type BillingInterval } from "#db/schema";
import { recordAudit, type Actor } from "~/lib/audit.server";
import { customerDetails } from "~/modules/billing/customer-sync.server";
import { stripeFailure } from "~/modules/billing/stripe-failure";
import { stripeNowOf } from "~/modules/billing/stripe.server";
import { priceRowFor, requireCatalog } from "~/modules/catalog/catalog.server";
import { fewerSeatsThanUsed } from "~/modules/accounts/seats.server";
import { orderTotal, seatsError } from "~/modules/catalog/pricing";
import { recordSignal } from "~/modules/success/signals.server";
import { activeTrial, trialEndOrFullLength } from "~/modules/trials/trials.server";

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
type NewOrder = typeof orders.$inferInsert;
export type CheckoutFailure = { ok: false; field?: "seats"; message: string };
export type CheckoutResult = { ok: true; url: string; order: Order } | CheckoutFailure;

const LIVE_SUBSCRIPTION = ["active", "trialing", "past_due", "unpaid", "paused", "incomplete"];
const BEING_OPENED: CheckoutFailure = {
  ok: false,
  message: "A checkout for your organisation is being opened. Try again in a moment.",
};
/**
 * Stripe accepts a Checkout `subscription_data.trial_end` only "at least 48 hours in the future"
 * (Stripe API reference, Checkout Sessions); an hour more covers the wait until Stripe reads it.
 */
const MIN_TRIAL_LEFT_SECONDS = 49 * 60 * 60;

/**
 * Creates the order, then Stripe Checkout for it (the order id is the client_reference_id and
 * part of the idempotency key). The same choice sent twice, or from a second tab, goes to the
 * same open checkout; another choice expires the open checkout first (the customer changed their
 * mind). An organisation that already pays for the product is sent to change its plan instead.
 * Any Stripe error answers `{ ok: false, message }` (a sentence for the page) and is audited on
 * the order as `order.checkout_failed`; only the portal's own faults throw.
 */
export async function startCheckout(deps: CheckoutDeps, input: CheckoutInput): Promise<CheckoutResult> {
  const { db } = deps;
  const catalog = await requireCatalog(db);
  const plan = catalog.plans.find((p) => p.slug === input.planSlug);
  if (!plan || (plan.salesMode !== "self_serve" && !input.salesAssisted))
    return { ok: false, message: "This plan is not sold online; talk to us instead." };
  const seatsProblem = seatsError(plan, input.seats);
  if (seatsProblem) return { ok: false, field: "seats", message: seatsProblem };
  const tooFew = await fewerSeatsThanUsed(db, input.accountId, input.seats);
  if (tooFew) return { ok: false, field: "seats", message: tooFew };
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

  const actor: Actor = { type: input.salesAssisted ? "staff" : "user", id: input.userId };
  const values: NewOrder = {
    accountId: input.accountId,
    orderedBy: input.userId,
    productSlug: catalog.product.slug,
    planSlug: plan.slug,
    interval: input.interval,
    seats: input.seats,
    currency: price.currency,
    totalAmount: orderTotal(plan, input.interval, input.seats),
    status: "checkout_open",
  };
  let opened: Awaited<ReturnType<typeof openOrder>>;
  try {
    opened = await openOrder(deps, values, actor);
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "close your earlier payment page").message };
  }
  if (!opened.ok) return opened;
  const { order } = opened;
  if (!opened.created) return order.checkoutUrl ? { ok: true, url: order.checkoutUrl, order } : BEING_OPENED;

  try {
    const customer = await liveCustomer(deps, input.accountId, actor);
    const trial = await activeTrial(db, input.accountId, catalog.product.slug);
    const trialEnd = trial ? carriedTrialEnd(trialEndOrFullLength(trial), customer.stripeNow) : undefined;
    const session = await deps.stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer: customer.id,
        client_reference_id: order.id,
        line_items: [{ price: price.stripePriceId, quantity: plan.pricingModel === "per_seat" ? input.seats : 1 }],
        success_url: `${deps.appUrl}/orders/${order.id}?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${deps.appUrl}/plans/${plan.slug}`,
        metadata: { order_id: order.id },
        subscription_data: {
          metadata: { order_id: order.id, account_id: input.accountId, seats: String(input.seats) },
          ...(trialEnd ? { trial_end: trialEnd } : {}),
        },
      },
      // With the customer in the key, a replaced customer gets a new session rather than a replay.
      { idempotencyKey: `checkout:${order.id}:${customer.id}` },
    );
    await db
      .update(orders)
      .set({ stripeCheckoutSessionId: session.id, checkoutUrl: session.url, updatedAt: sql`now()` })
      .where(eq(orders.id, order.id));
    await recordAudit(
      db,
      actor,
      "order.checkout_opened",
      { type: "order", id: order.id },
      { plan: plan.slug, interval: input.interval, seats: input.seats },
      input.accountId,
    );
    // The customer's own checkout is buying intent for the PQL score; a staff-sent link is not.
    if (!input.salesAssisted) await recordSignal(db, input.accountId, "checkout_opened");
    return { ok: true, url: session.url!, order };
  } catch (error) {
    // The order never reached Stripe: free the slot so the customer can try again.
    await db
      .update(orders)
      .set({ status: "cancelled", updatedAt: sql`now()` })
      .where(eq(orders.id, order.id));
    const failure = stripeFailure(error, "open the payment page");
    await recordAudit(
      db,
      actor,
      "order.checkout_failed",
      { type: "order", id: order.id },
      failure.details,
      input.accountId,
    );
    return { ok: false, message: failure.message };
  }
}

/**
 * The order for this choice: a new one (`created`), or the open one when it is the same choice
 * (plan, interval, users and total: a double submit or a second tab). An open checkout for
 * another choice is expired at Stripe and its order closed first, so the customer never lands on
 * the checkout they changed their mind about. Throws Stripe's errors.
 */
async function openOrder(
  deps: CheckoutDeps,
  values: NewOrder,
  actor: Actor,
): Promise<{ ok: true; order: Order; created: boolean } | CheckoutFailure> {
  // Each round either inserts, finds the same choice, or closes one other open order.
  for (let round = 0; round < 3; round += 1) {
    const [created] = await deps.db.insert(orders).values(values).onConflictDoNothing().returning();
    if (created) return { ok: true, order: created, created: true };
    const [open] = await deps.db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.accountId, values.accountId),
          eq(orders.productSlug, values.productSlug),
          eq(orders.status, "checkout_open"),
        ),
      );
    if (!open) continue;
    if (sameChoice(open, values)) return { ok: true, order: open, created: false };
    if (!open.stripeCheckoutSessionId) return BEING_OPENED;
    const superseded = await supersede(deps, open, actor);
    if (!superseded.ok) return superseded;
  }
  return BEING_OPENED;
}

function sameChoice(order: Order, values: NewOrder): boolean {
  return (
    order.planSlug === values.planSlug &&
    order.interval === values.interval &&
    order.seats === values.seats &&
    order.currency === values.currency &&
    order.totalAmount === values.totalAmount
  );
}

/**
 * Expires the open order's Checkout Session (Stripe: `checkout.sessions.expire`) and closes the
 * order as `expired`, audited. A session Stripe had already expired counts as done; one that was
 * paid meanwhile (another tab) is refused with a sentence: that order will be applied as paid.
 */
async function supersede(deps: CheckoutDeps, order: Order, actor: Actor): Promise<{ ok: true } | CheckoutFailure> {
  const sessionId = order.stripeCheckoutSessionId!;
  let session: Stripe.Checkout.Session;
  try {
    session = await deps.stripe.checkout.sessions.expire(sessionId);
  } catch (error) {
    // Only an open session can be expired: see what became of it.
    if (!(error instanceof Stripe.errors.StripeInvalidRequestError) || error.code === "resource_missing") throw error;
    session = await deps.stripe.checkout.sessions.retrieve(sessionId);
    if (session.status === "open") throw error;
  }
  if (session.status === "complete")
    return {
      ok: false,
      message:
        "Your earlier checkout has just been paid. It will show on your billing page in a moment; change your plan there.",
    };
  await deps.db.transaction(async (tx) => {
    const [closed] = await tx
      .update(orders)
      .set({ status: "expired", updatedAt: sql`now()` })
      .where(and(eq(orders.id, order.id), eq(orders.status, "checkout_open")))
      .returning({ id: orders.id });
    if (closed)
      await recordAudit(
        tx,
        actor,
        "order.checkout_superseded",
        { type: "order", id: order.id },
        { checkoutSession: sessionId },
        order.accountId,
      );
  });
  return { ok: true };
}

/**
 * The organisation's Stripe customer as Stripe knows it now, created once (idempotently) on the
 * first checkout, with Stripe's clock (`stripeNow`, unix seconds) read from the `Date` header of
 * Stripe's answer. A stored customer Stripe no longer knows (deleted in the dashboard: 404, or
 * `deleted: true`) is replaced by a new one, recorded and audited as `billing.customer_replaced`.
 */
async function liveCustomer(
  { db, stripe }: CheckoutDeps,
  accountId: string,
  actor: Actor,
): Promise<{ id: string; stripeNow: number }> {
  const [known] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  if (known) {
    const found = await retrieveCustomer(stripe, known.stripeCustomerId);
    if (found) return { id: found.id, stripeNow: stripeNowOf(found) };
  }
  // Stripe sends its receipts and shows the Billing Portal to this email and name; kept in step by customer-sync.
  const details = await customerDetails(db, accountId);
  const customer = await stripe.customers.create(
    { ...(details.email ? { email: details.email } : {}), name: details.name, metadata: details.metadata },
    { idempotencyKey: known ? `customer:${accountId}:replaces:${known.stripeCustomerId}` : `customer:${accountId}` },
  );
  if (known) {
    await db.transaction(async (tx) => {
      const [replaced] = await tx
        .update(billingCustomers)
        .set({ stripeCustomerId: customer.id })
        .where(
          and(eq(billingCustomers.accountId, accountId), eq(billingCustomers.stripeCustomerId, known.stripeCustomerId)),
        )
        .returning();
      if (replaced)
        await recordAudit(
          tx,
          actor,
          "billing.customer_replaced",
          { type: "organisation", id: accountId },
          { previous: known.stripeCustomerId, current: customer.id, reason: "unknown to Stripe" },
          accountId,
        );
    });
  } else {
    await db.insert(billingCustomers).values({ accountId, stripeCustomerId: customer.id }).onConflictDoNothing();
  }
  const [saved] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  return { id: saved!.stripeCustomerId, stripeNow: stripeNowOf(customer) };
}

/** The customer, or null when Stripe does not know it (any more). */
async function retrieveCustomer(stripe: Stripe, id: string): Promise<Stripe.Response<Stripe.Customer> | null> {
  try {
    const customer = await stripe.customers.retrieve(id);
    return customer.deleted ? null : (customer as Stripe.Response<Stripe.Customer>);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing") return null;
    throw error;
  }
}

/**
 * The trial's unused time carried over to Stripe: the same time left, counted from Stripe's now
 * (its clock may run ahead of the portal's: test clocks, the emulator's moved clock). None when
 * Stripe would refuse it for being too close.
 */
function carriedTrialEnd(endsAt: Date, stripeNow: number): number | undefined {
  const left = Math.floor((endsAt.getTime() - Date.now()) / 1000);
  return left >= MIN_TRIAL_LEFT_SECONDS ? stripeNow + left : undefined;
}
