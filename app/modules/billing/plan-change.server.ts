import { eq } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "#db/client";
import { billingCustomers, subscriptions } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import type { Money } from "~/lib/money";
import { priceRowFor, requireCatalog } from "~/modules/catalog/catalog.server";
import { fewerSeatsThanUsed } from "~/modules/accounts/seats.server";
import { orderTotal, seatsError } from "~/modules/catalog/pricing";
import { changeKind, type ChangeKind, type PlanChoice } from "./change-kind";
import { planChangeBlocker } from "./changeable";
import { readQuote, signQuote } from "./quote.server";
import { stripeFailure } from "./stripe-failure";
import {
  currentSubscription,
  planOfPrice,
  refreshSubscription,
  type MirroredSubscription,
} from "./subscriptions.server";

/** `secret` signs previewed quotes (the session secret). */
export type BillingDeps = { db: Database; stripe: Stripe; secret: string };
/** `quote` (upgrades) carries the previewed terms, signed, to the confirmation. */
export type ChangePreview = {
  kind: ChangeKind;
  choice: PlanChoice;
  recurring: Money;
  dueNow: Money | null;
  effectiveAt: Date;
  quote: string | null;
};
export type ChangeFailure = { ok: false; field?: "seats" | "plan"; message: string };

const QUOTE_EXPIRED = "This price preview has expired. Review the change again.";

/** What the subscription is now, in catalog terms. */
export async function currentChoice(db: Database, subscription: MirroredSubscription): Promise<PlanChoice | null> {
  const plan = subscription.stripePriceId ? await planOfPrice(db, subscription.stripePriceId) : null;
  return plan ? { planSlug: plan.planSlug, interval: plan.interval, seats: subscription.quantity } : null;
}

type Prepared = {
  subscription: Stripe.Subscription;
  item: Stripe.SubscriptionItem;
  customerId: string;
  priceId: string;
  quantity: number;
  kind: ChangeKind;
  choice: PlanChoice;
  recurring: Money;
};

/**
 * Checks the choice against the catalog and the live subscription, as Stripe has it now (see
 * planChangeBlocker): both the preview and the confirmation run it, so a confirmation after the
 * subscription changed elsewhere is refused with the reason, not applied on top.
 */
async function prepare(
  { db, stripe }: BillingDeps,
  accountId: string,
  choice: PlanChoice,
): Promise<{ ok: true; prepared: Prepared } | ChangeFailure> {
  const catalog = await requireCatalog(db);
  const plan = catalog.plans.find((p) => p.slug === choice.planSlug);
  if (!plan || plan.salesMode !== "self_serve")
    return { ok: false, field: "plan", message: "This plan is not sold online; talk to us instead." };
  const seatsProblem = seatsError(plan, choice.seats);
  if (seatsProblem) return { ok: false, field: "seats", message: seatsProblem };
  const tooFew = await fewerSeatsThanUsed(db, accountId, choice.seats);
  if (tooFew) return { ok: false, field: "seats", message: tooFew };
  const mirrored = await currentSubscription(db, accountId);
  const from = mirrored ? await currentChoice(db, mirrored) : null;
  const [customer] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  if (!mirrored || !from || !customer)
    return { ok: false, message: "Your organisation has no subscription to change. Buy a plan first." };
  const kind = changeKind(catalog, from, choice);
  if (!kind)
    return { ok: false, message: "That is your current plan. Choose another plan, interval or number of users." };
  const price = await priceRowFor(db, catalog, plan, choice.interval);
  if (!price?.stripePriceId)
    return { ok: false, message: "This plan cannot be bought online right now. Please try again later." };
  let subscription: Stripe.Subscription;
  try {
    subscription = await stripe.subscriptions.retrieve(mirrored.id);
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "read your subscription").message };
  }
  const blocker = planChangeBlocker(subscription);
  if (blocker) return { ok: false, message: blocker };
  const item = subscription.items.data[0];
  if (!item) return { ok: false, message: "Your subscription has no plan to change. Contact us." };
  return {
    ok: true,
    prepared: {
      subscription,
      item,
      customerId: customer.stripeCustomerId,
      priceId: price.stripePriceId,
      quantity: plan.pricingModel === "per_seat" ? choice.seats : 1,
      kind,
      choice,
      recurring: { amount: orderTotal(plan, choice.interval, choice.seats), currency: price.currency },
    },
  };
}

/**
 * What the change costs: an upgrade's prorated charge today, from Stripe's own preview; a
 * downgrade's date. Stripe's errors answer `{ ok: false, message }`, never throw.
 */
export async function previewPlanChange(
  deps: BillingDeps,
  accountId: string,
  choice: PlanChoice,
): Promise<{ ok: true; preview: ChangePreview } | ChangeFailure> {
  const result = await prepare(deps, accountId, choice);
  if (!result.ok) return result;
  const { prepared } = result;
  const base = { kind: prepared.kind, choice, recurring: prepared.recurring };
  if (prepared.kind === "downgrade")
    return {
      ok: true,
      preview: { ...base, dueNow: null, effectiveAt: new Date(prepared.item.current_period_end * 1000), quote: null },
    };
  const quoteFor = (prorationDate: number) =>
    signQuote(deps.secret, {
      accountId,
      subscriptionId: prepared.subscription.id,
      priceId: prepared.priceId,
      quantity: prepared.quantity,
      prorationDate,
    });
  if (!billedDifferently(prepared)) {
    const now = Math.floor(Date.now() / 1000);
    return {
      ok: true,
      preview: {
        ...base,
        dueNow: { amount: 0, currency: prepared.recurring.currency },
        effectiveAt: new Date(now * 1000),
        quote: quoteFor(now),
      },
    };
  }
  let invoice: Stripe.Invoice;
  try {
    invoice = await deps.stripe.invoices.createPreview({
      customer: prepared.customerId,
      subscription: prepared.subscription.id,
      subscription_details: {
        items: [{ id: prepared.item.id, price: prepared.priceId, quantity: prepared.quantity }],
        proration_behavior: "always_invoice",
      },
    });
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "price the change").message };
  }
  // Stripe's "now" for the prorations (its own clock, a test clock's in test mode), reused when confirming.
  const prorationDate =
    invoice.parent?.subscription_details?.subscription_proration_date ?? Math.floor(Date.now() / 1000);
  return {
    ok: true,
    preview: {
      ...base,
      dueNow: { amount: invoice.amount_due, currency: invoice.currency.toUpperCase() },
      effectiveAt: new Date(prorationDate * 1000),
      quote: quoteFor(prorationDate),
    },
  };
}

/**
 * Applies the change the customer confirmed. An upgrade is invoiced and charged at once with
 * the quoted proration date (so the charge equals the preview) and refused as a whole if the
 * card fails; a downgrade becomes the next phase of a subscription schedule, from the period end.
 * Stripe's errors (a declined card included) answer `{ ok: false, message }`, never throw.
 */
export async function applyPlanChange(
  deps: BillingDeps,
  change: { accountId: string; userId: string; choice: PlanChoice; quote: string | undefined },
): Promise<{ ok: true; kind: ChangeKind } | ChangeFailure> {
  const result = await prepare(deps, change.accountId, change.choice);
  if (!result.ok) return result;
  const { prepared } = result;
  const actor = { type: "user" as const, id: change.userId };
  try {
    if (prepared.kind === "upgrade") {
      const quote = change.quote ? readQuote(deps.secret, change.quote) : null;
      const matches =
        quote &&
        quote.accountId === change.accountId &&
        quote.subscriptionId === prepared.subscription.id &&
        quote.priceId === prepared.priceId &&
        quote.quantity === prepared.quantity;
      if (!quote || !matches) return { ok: false, message: QUOTE_EXPIRED };
      const key = `plan-change:${prepared.subscription.id}:${prepared.priceId}:${prepared.quantity}:${change.choice.seats}:${quote.prorationDate}`;
      if (prepared.subscription.schedule)
        await deps.stripe.subscriptionSchedules.release(idOfSchedule(prepared.subscription.schedule));
      const seats = { metadata: { seats: String(change.choice.seats) } };
      const updated = await deps.stripe.subscriptions.update(
        prepared.subscription.id,
        billedDifferently(prepared)
          ? {
              items: [{ id: prepared.item.id, price: prepared.priceId, quantity: prepared.quantity }],
              proration_behavior: "always_invoice",
              proration_date: quote.prorationDate,
              payment_behavior: "error_if_incomplete",
              ...seats,
            }
          : seats,
        { idempotencyKey: key },
      );
      await deps.db.transaction(async (tx) => {
        await refreshSubscription(tx, updated, key);
        await recordAudit(
          tx,
          actor,
          "subscription.upgraded",
          { type: "subscription", id: updated.id },
          { ...change.choice },
          change.accountId,
        );
      });
    } else {
      const key = `plan-change:${prepared.subscription.id}:${prepared.priceId}:${prepared.quantity}:${prepared.item.current_period_end}`;
      await scheduleDowngrade(deps, prepared, key);
      await deps.db.transaction(async (tx) => {
        const effectiveAt = new Date(prepared.item.current_period_end * 1000).toISOString();
        await tx
          .update(subscriptions)
          .set({ scheduledChange: { ...change.choice, effectiveAt } })
          .where(eq(subscriptions.id, prepared.subscription.id));
        await recordAudit(
          tx,
          actor,
          "subscription.downgrade_scheduled",
          { type: "subscription", id: prepared.subscription.id },
          { ...change.choice, effectiveAt },
          change.accountId,
        );
      });
    }
  } catch (error) {
    // The period the quote was made in has ended (a renewal came between): its date no longer applies.
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.param === "proration_date")
      return { ok: false, message: QUOTE_EXPIRED };
    return { ok: false, message: stripeFailure(error, "change your plan").message };
  }
  return { ok: true, kind: prepared.kind };
}

/** Users on a flat price change nothing Stripe bills: only the recorded seats move. */
function billedDifferently(prepared: Prepared): boolean {
  return prepared.priceId !== prepared.item.price.id || prepared.quantity !== (prepared.item.quantity ?? 1);
}

function idOfSchedule(schedule: string | Stripe.SubscriptionSchedule): string {
  return typeof schedule === "string" ? schedule : schedule.id;
}

/** The current items until the period ends, then the new ones; the schedule lets go after that. */
async function scheduleDowngrade({ stripe }: BillingDeps, prepared: Prepared, key: string): Promise<void> {
  const schedule = prepared.subscription.schedule
    ? await stripe.subscriptionSchedules.retrieve(idOfSchedule(prepared.subscription.schedule))
    : await stripe.subscriptionSchedules.create(
        { from_subscription: prepared.subscription.id },
        { idempotencyKey: `${key}:schedule` },
      );
  const current = schedule.phases[0];
  await stripe.subscriptionSchedules.update(
    schedule.id,
    {
      end_behavior: "release",
      phases: [
        {
          items: prepared.subscription.items.data.map((item) => ({
            price: item.price.id,
            quantity: item.quantity ?? 1,
          })),
          start_date: current?.start_date ?? prepared.item.current_period_start,
          end_date: prepared.item.current_period_end,
        },
        {
          items: [{ price: prepared.priceId, quantity: prepared.quantity }],
          duration: { interval: prepared.choice.interval, interval_count: 1 },
          proration_behavior: "none",
        },
      ],
    },
    { idempotencyKey: `${key}:phases` },
  );
}

/** The customer keeps their current plan after all: the pending downgrade is dropped. */
export async function cancelScheduledChange(
  deps: BillingDeps,
  accountId: string,
  userId: string,
): Promise<{ ok: true } | ChangeFailure> {
  const mirrored = await currentSubscription(deps.db, accountId);
  if (!mirrored?.scheduledChange) return { ok: true };
  try {
    const subscription = await deps.stripe.subscriptions.retrieve(mirrored.id);
    if (subscription.schedule) await deps.stripe.subscriptionSchedules.release(idOfSchedule(subscription.schedule));
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "keep your current plan").message };
  }
  await deps.db.transaction(async (tx) => {
    await tx.update(subscriptions).set({ scheduledChange: null }).where(eq(subscriptions.id, mirrored.id));
    await recordAudit(
      tx,
      { type: "user", id: userId },
      "subscription.downgrade_cancelled",
      { type: "subscription", id: mirrored.id },
      {},
      accountId,
    );
  });
  return { ok: true };
}

/** A Billing Portal session for the organisation's Stripe customer: cards, invoices, cancellation. */
export async function billingPortalUrl(
  { db, stripe }: BillingDeps,
  accountId: string,
  returnUrl: string,
): Promise<{ ok: true; url: string } | ChangeFailure> {
  const [customer] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  if (!customer) return { ok: false, message: "Your organisation has no billing account yet. Buy a plan first." };
  try {
    const session = await stripe.billingPortal.sessions.create({
      customer: customer.stripeCustomerId,
      return_url: returnUrl,
    });
    return { ok: true, url: session.url };
  } catch (error) {
    return { ok: false, message: stripeFailure(error, "open your cards and invoices").message };
  }
}
