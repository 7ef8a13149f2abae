/**
 * Revenue metrics (issue 17, ADR 24, docs/metrics.md): the subscription ledger, one row per change
 * of a subscription's MRR, written with the mirror's update.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations } from "./accounts";

/** An account's MRR movement in a month (docs/metrics.md). */
export type Movement = "new" | "reactivation" | "expansion" | "contraction" | "churn";
/** Why an account churned: it cancelled, or Stripe stopped retrying its payments (`unpaid`). */
export type ChurnKind = "voluntary" | "payment_failure";

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
    /** A cancellation's `cancellation_details.reason` (Stripe): `payment_failed` is payment-failure churn. */
    reason: text("reason"),
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

/**
 * Each account's months (UTC calendar months, `month` = the 1st) from its first ledger row's month
 * on: MRR at the start and end (reporting currency, minor units), its movement and the movement's
 * size, the churn's kind, and the account's first paid month (its cohort). Rebuilt per account from
 * its ledger by the rollup job; carried into each new month for accounts that pay.
 */
export const mrrAccountMonths = pgTable(
  "mrr_account_months",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    month: date("month").notNull(),
    startMrr: bigint("start_mrr", { mode: "number" }).notNull(),
    endMrr: bigint("end_mrr", { mode: "number" }).notNull(),
    movement: text("movement").$type<Movement>(),
    amount: bigint("amount", { mode: "number" }).notNull().default(0),
    churnKind: text("churn_kind").$type<ChurnKind>(),
    cohortMonth: date("cohort_month"),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.month] }),
    // The accounts behind a figure, biggest first (keyset): a month's movement, its customers, a cohort's month.
    index("mrr_account_months_movement_idx").on(t.month, t.movement, t.amount.desc(), t.accountId),
    index("mrr_account_months_paying_idx").on(t.month, t.endMrr.desc(), t.accountId),
    index("mrr_account_months_cohort_idx").on(t.cohortMonth, t.month, t.endMrr.desc(), t.accountId),
  ],
);

/**
 * A month's totals over every account (`monthTotals`), kept by adding each account's change to
 * them, so the metrics pages read one row a month instead of summing accounts.
 */
export const mrrMonths = pgTable("mrr_months", {
  month: date("month").primaryKey(),
  startMrr: bigint("start_mrr", { mode: "number" }).notNull().default(0),
  endMrr: bigint("end_mrr", { mode: "number" }).notNull().default(0),
  customersStart: integer("customers_start").notNull().default(0),
  customersEnd: integer("customers_end").notNull().default(0),
  newMrr: bigint("new_mrr", { mode: "number" }).notNull().default(0),
  reactivationMrr: bigint("reactivation_mrr", { mode: "number" }).notNull().default(0),
  expansionMrr: bigint("expansion_mrr", { mode: "number" }).notNull().default(0),
  contractionMrr: bigint("contraction_mrr", { mode: "number" }).notNull().default(0),
  churnMrr: bigint("churn_mrr", { mode: "number" }).notNull().default(0),
  newAccounts: integer("new_accounts").notNull().default(0),
  reactivationAccounts: integer("reactivation_accounts").notNull().default(0),
  expansionAccounts: integer("expansion_accounts").notNull().default(0),
  contractionAccounts: integer("contraction_accounts").notNull().default(0),
  churnAccounts: integer("churn_accounts").notNull().default(0),
  voluntaryChurnMrr: bigint("voluntary_churn_mrr", { mode: "number" }).notNull().default(0),
  paymentFailureChurnMrr: bigint("payment_failure_churn_mrr", { mode: "number" }).notNull().default(0),
});

/** Per first-paid month (cohort) and month: how many of its accounts pay at the month's end, and their MRR. */
export const mrrCohorts = pgTable(
  "mrr_cohorts",
  {
    cohortMonth: date("cohort_month").notNull(),
    month: date("month").notNull(),
    customers: integer("customers").notNull().default(0),
    mrr: bigint("mrr", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.cohortMonth, t.month] })],
);
