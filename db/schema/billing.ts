import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { BillingInterval } from "./catalog";
import { organisations, users } from "./accounts";

export type ScheduledChange = { planSlug: string; interval: BillingInterval; seats: number; effectiveAt: string };

export type OrderStatus =
  "checkout_open" | "paid" | "fulfilled" | "pending_approval" | "payment_failed" | "expired" | "cancelled";

/** A customer's intent to buy; its id is Stripe Checkout's idempotency key and client_reference_id. */
export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    orderedBy: uuid("ordered_by").references(() => users.id, { onDelete: "set null" }),
    productSlug: text("product_slug").notNull(),
    planSlug: text("plan_slug").notNull(),
    interval: text("interval").$type<BillingInterval>().notNull(),
    seats: integer("seats").notNull(),
    currency: text("currency").notNull(),
    /** Minor units per interval for all seats, tax excluded. */
    totalAmount: integer("total_amount").notNull(),
    status: text("status").$type<OrderStatus>().notNull(),
    stripeCheckoutSessionId: text("stripe_checkout_session_id").unique(),
    /** Where the customer pays; kept so a second click sends them to the same checkout. */
    checkoutUrl: text("checkout_url"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    provisioningRequestId: uuid("provisioning_request_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    /** Minor units Stripe charged when the checkout completed: 0 for a trial checkout. */
    chargedAtCheckout: integer("charged_at_checkout"),
    /** Stripe's first charge: the paid invoice's date, or the trial's end (`trial_end`) for a trial. */
    firstChargeAt: timestamp("first_charge_at", { withTimezone: true }),
    /** Minor units of that first charge, tax excluded, in the order's currency. */
    firstChargeAmount: integer("first_charge_amount"),
  },
  (t) => [
    // One open checkout per organisation and product: a second tab cannot pay twice.
    uniqueIndex("orders_one_open_checkout_idx")
      .on(t.accountId, t.productSlug)
      .where(sql`${t.status} = 'checkout_open'`),
    index("orders_account_idx").on(t.accountId, t.createdAt),
    // The staff home's approvals, oldest paid first, without reading every order.
    index("orders_pending_approval_idx")
      .on(t.paidAt)
      .where(sql`${t.status} = 'pending_approval'`),
    check("orders_seats_check", sql`${t.seats} >= 1`),
  ],
);

/** Stripe customers of organisations. */
export const billingCustomers = pgTable("billing_customers", {
  accountId: uuid("account_id")
    .primaryKey()
    .references(() => organisations.id, { onDelete: "cascade" }),
  stripeCustomerId: text("stripe_customer_id").notNull().unique(),
});

/** The Stripe events an account's timeline shows (app/modules/usage/timeline.server.ts), indexed by customer. */
export const TIMELINE_STRIPE_EVENT_TYPES = [
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.payment_action_required",
  "customer.subscription.updated",
  "customer.subscription.deleted",
] as const;

/** Every Stripe event received, keyed by its id: a duplicate delivery finds its row and stops. */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** Why the event could not be applied (its object does not exist in Stripe); set once, never retried. */
    unprocessableReason: text("unprocessable_reason"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  },
  (table) => [
    index("stripe_events_unprocessable_idx")
      .on(table.receivedAt)
      .where(sql`${table.unprocessableReason} is not null`),
    // An account's timeline reads its payments, failures and cancellations by the Stripe customer.
    index("stripe_events_customer_idx")
      .on(sql`(${table.payload} #>> '{data,object,customer}')`, table.receivedAt)
      .where(sql`${table.type} in (${sql.raw(TIMELINE_STRIPE_EVENT_TYPES.map((type) => `'${type}'`).join(", "))})`),
  ],
);

/** The portal's mirror of Stripe subscriptions; Stripe is the source of truth. */
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    planSlug: text("plan_slug"),
    stripePriceId: text("stripe_price_id"),
    quantity: integer("quantity").notNull(),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    /** Set while the latest invoice's payment has failed; cleared when an invoice is paid. */
    paymentFailedAt: timestamp("payment_failed_at", { withTimezone: true }),
    /** A change the customer scheduled for the period end (a downgrade), as Stripe's schedule holds it. */
    scheduledChange: jsonb("scheduled_change").$type<ScheduledChange>(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** When the ended subscription's service was queued for removal, after the retention period. */
    deprovisionRequestedAt: timestamp("deprovision_requested_at", { withTimezone: true }),
    instanceId: uuid("instance_id"),
    /**
     * The MRR the ledger last recorded (minor units of `currency`, docs/metrics.md): changed only
     * with a ledger row, so the sum of its deltas is this value.
     */
    mrrMinor: bigint("mrr_minor", { mode: "number" }).notNull().default(0),
    currency: text("currency"),
    /** The billing interval of its price, as the ledger last saw it (a change of it is a ledger row). */
    billingInterval: text("billing_interval"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("subscriptions_account_idx").on(t.accountId),
    // Failing payments (the staff home and the portfolio's payment filter): a few rows among many.
    index("subscriptions_failing_idx")
      .on(t.paymentFailedAt, t.accountId)
      .where(sql`${t.paymentFailedAt} is not null or ${t.status} in ('past_due', 'unpaid')`),
    index("subscriptions_ended_idx")
      .on(t.endedAt)
      .where(sql`${t.deprovisionRequestedAt} is null and ${t.endedAt} is not null`),
  ],
);
