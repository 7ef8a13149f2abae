import { and, eq, isNull, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Database, Transaction } from "#db/client";
import { stripeEvents, subscriptions, type OrderStatus } from "#db/schema";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { queueOrderConfirmation, queueReceipt } from "~/modules/email/billing-emails.server";
import { queuePaymentProblemEmails } from "~/modules/email/payment-notice.server";
import { firstChargeOf } from "~/modules/orders/first-charge";
import { applyCheckoutSession, fetchCheckoutSession } from "~/modules/orders/payment.server";
import type { StripeMoment } from "~/modules/metrics/ledger.server";
import { MRR_EXPAND } from "~/modules/metrics/mrr";
import { accountOfCustomer, idOf, refreshSubscription } from "./subscriptions.server";

type Apply = (tx: Transaction) => Promise<unknown>;
/** The event being applied: its id and Stripe's `created` (Unix seconds). */
type EventMoment = StripeMoment & { eventId: string };
/** Order states after Stripe took the checkout: the customer is told what they bought. */
const ACCEPTED = new Set<OrderStatus>(["paid", "fulfilled", "pending_approval"]);
type Deps = { db: Database; stripe: Stripe; appUrl: string };

/**
 * Applies an inbox event by asking Stripe for the object's current state, so duplicates and
 * any arrival order end in the same place. The event is marked processed in the transaction
 * that applies it: a job run twice applies it once. An event whose object Stripe does not know
 * (404: another account's, deleted) is marked unprocessable with the reason, once, for staff to
 * see, instead of failing its job for days.
 */
export async function processStripeEvent(deps: Deps, eventId: string): Promise<void> {
  const [row] = await deps.db
    .select()
    .from(stripeEvents)
    .where(and(eq(stripeEvents.id, eventId), isNull(stripeEvents.processedAt)));
  if (!row) return;
  const objectId = (row.payload as { data?: { object?: { id?: string } } }).data?.object?.id;
  let apply: Apply | null;
  try {
    // Stripe's time for the change; an event without one (never from Stripe) is dated when it came in.
    const created = Number(row.payload.created);
    const moment = {
      eventId,
      created: Number.isFinite(created) ? created : Math.floor(row.receivedAt.getTime() / 1000),
    };
    apply = objectId ? await prepare(deps, row.type, objectId, moment) : null;
  } catch (error) {
    if (!isMissingObject(error)) throw error;
    await deps.db
      .update(stripeEvents)
      .set({ processedAt: sql`now()`, unprocessableReason: `Stripe has no ${objectId}: ${error.message}` })
      .where(and(eq(stripeEvents.id, eventId), isNull(stripeEvents.processedAt)));
    return;
  }
  await deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(stripeEvents)
      .set({ processedAt: sql`now()` })
      .where(and(eq(stripeEvents.id, eventId), isNull(stripeEvents.processedAt)))
      .returning({ id: stripeEvents.id });
    if (claimed && apply) await apply(tx);
  });
}

/** Stripe's answer for an object that does not exist (Stripe API: errors, `resource_missing`). */
function isMissingObject(error: unknown): error is Stripe.errors.StripeInvalidRequestError {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404;
}

/** Fetches what the event is about (outside any transaction) and returns how to apply it. */
async function prepare(
  { stripe, appUrl }: Deps,
  type: string,
  objectId: string,
  moment: EventMoment,
): Promise<Apply | null> {
  const { eventId } = moment;
  switch (type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const session = await fetchCheckoutSession(stripe, objectId);
      return async (tx) => {
        const order = await applyCheckoutSession(tx, session, type === "checkout.session.async_payment_failed");
        // Confirmed from Stripe's event whichever path accepted the order (this one, or the order
        // page's re-fetch): the outbox key sends it once.
        const charge = firstChargeOf(session);
        if (order && charge && ACCEPTED.has(order.status)) await queueOrderConfirmation(tx, { order, charge, appUrl });
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed": {
      const subscription = await stripe.subscriptions.retrieve(objectId, { expand: MRR_EXPAND });
      return (tx) => refreshSubscription(tx, subscription, eventId, null, { appUrl, moment });
    }
    case "invoice.paid":
    case "invoice.payment_failed":
    case "invoice.payment_action_required": {
      const invoice = await stripe.invoices.retrieve(objectId);
      const subscriptionId = invoice.parent?.subscription_details?.subscription;
      if (!subscriptionId) return null;
      const subscription = await stripe.subscriptions.retrieve(idOf(subscriptionId), { expand: MRR_EXPAND });
      return (tx) => applyInvoice(tx, { invoice, subscription, eventType: type, moment, appUrl });
    }
    case "customer.updated":
      // A new default card changes no subscription: touching the mirror still renews the billing
      // summary's cache stamp (billing-summary.server.ts), so the page shows the card at once.
      return (tx) => touchSubscriptionsOf(tx, objectId);
    default:
      return null;
  }
}

/** Marks the customer's subscriptions that have not ended as changed now (their `updatedAt`). */
async function touchSubscriptionsOf(tx: Transaction, stripeCustomerId: string): Promise<void> {
  const accountId = await accountOfCustomer(tx, stripeCustomerId);
  if (!accountId) return;
  await tx
    .update(subscriptions)
    .set({ updatedAt: new Date() })
    .where(and(eq(subscriptions.accountId, accountId), isNull(subscriptions.endedAt)));
}

/**
 * The subscription's payment state follows its invoices: a paid one clears a failure, a failed
 * (or to-be-confirmed) one still open records it and tells the customer once per event.
 */
async function applyInvoice(
  tx: Transaction,
  {
    invoice,
    subscription,
    eventType,
    moment,
    appUrl,
  }: {
    invoice: Stripe.Invoice;
    subscription: Stripe.Subscription;
    eventType: string;
    moment: EventMoment;
    appUrl: string;
  },
): Promise<void> {
  const { eventId } = moment;
  const mirrored = await refreshSubscription(tx, subscription, eventId, null, { appUrl, moment });
  if (!mirrored) return;
  if (invoice.status === "paid") {
    await tx.update(subscriptions).set({ paymentFailedAt: null }).where(eq(subscriptions.id, mirrored.id));
    await queueReceipt(tx, { invoice, accountId: mirrored.accountId, planSlug: mirrored.planSlug, appUrl });
    return;
  }
  // A failure reported after the invoice was paid (events out of order) is old news.
  if (invoice.status !== "open" || eventType === "invoice.paid") return;
  await tx
    .update(subscriptions)
    .set({ paymentFailedAt: sql`coalesce(${subscriptions.paymentFailedAt}, now())` })
    .where(eq(subscriptions.id, mirrored.id));
  const catalog = await requireCatalog(tx);
  const planName = catalog.plans.find((plan) => plan.slug === mirrored.planSlug)?.name ?? catalog.product.name;
  await queuePaymentProblemEmails(tx, {
    kind: eventType === "invoice.payment_action_required" ? "action_required" : "failed",
    accountId: mirrored.accountId,
    planName,
    amount: invoice.amount_remaining,
    currency: invoice.currency,
    link:
      eventType === "invoice.payment_action_required" && invoice.hosted_invoice_url
        ? invoice.hosted_invoice_url
        : `${appUrl}/account/billing`,
  });
}
