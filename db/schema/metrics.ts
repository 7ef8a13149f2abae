/**
 * Revenue metrics (issue 17, ADR 24, docs/metrics.md): the subscription ledger, one row per change
 * of a subscription's MRR, written with the mirror's update.
 */
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organisations } from "./accounts";

/** What changed a subscription's MRR, in the order `ledgerChange` tells them apart. */
export type LedgerChange =
  "created" | "plan" | "users" | "interval" | "discount" | "status" | "cancellation" | "reactivation";

/**
 * Each change of a subscription's MRR contribution. `occurredAt` is Stripe's time (the event's
 * `created`, the subscription's `start_date` or `ended_at`), never our clock. Amounts are minor
 * units: in the subscription's `currency`, and converted to the reporting currency at fixed rates.
 * The sum of a subscription's deltas (`mrrAfterMinor - mrrBeforeMinor`) is its MRR now.
 */
export const subscriptionLedger = pgTable(
  "subscription_ledger",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriptionId: text("subscription_id").notNull(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    change: text("change").$type<LedgerChange>().notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    mrrBeforeMinor: bigint("mrr_before_minor", { mode: "number" }).notNull(),
    mrrAfterMinor: bigint("mrr_after_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    reportingBeforeMinor: bigint("reporting_before_minor", { mode: "number" }).notNull(),
    reportingAfterMinor: bigint("reporting_after_minor", { mode: "number" }).notNull(),
    reportingCurrency: text("reporting_currency").notNull(),
    /** The subscription after the change: plan, users, status (for the page's sentence). */
    planSlug: text("plan_slug"),
    quantity: integer("quantity").notNull(),
    status: text("status").notNull(),
    /** The Stripe event that told us; null for the backfill. */
    stripeEventId: text("stripe_event_id"),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("subscription_ledger_subscription_idx").on(t.subscriptionId, t.occurredAt, t.id),
    index("subscription_ledger_account_idx").on(t.accountId, t.occurredAt, t.id),
    index("subscription_ledger_occurred_idx").on(t.occurredAt, t.id),
    // One row per change an event told of, however often the event is applied.
    uniqueIndex("subscription_ledger_event_idx")
      .on(t.subscriptionId, t.stripeEventId)
      .where(sql`${t.stripeEventId} is not null`),
    check("subscription_ledger_amounts", sql`${t.mrrBeforeMinor} >= 0 and ${t.mrrAfterMinor} >= 0`),
  ],
);
