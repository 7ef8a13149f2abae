import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  char,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export type PlanSalesMode = "self_serve" | "contact_sales";
export type PricingModel = "per_seat" | "flat";
export type BillingInterval = "month" | "year";
export type ProvisioningTrigger = "on_order" | "on_payment" | "after_approval";
export type FeatureKind = "flag" | "limit";

/**
 * A step towards first value (issue 15, ADR 21): reached when the product reports `count` `event`
 * track calls (`kind: "event"`), or activity on `days` different days (`kind: "active_days"`),
 * within `windowDays` of the service's start. `link` is a path inside the workspace where the
 * customer takes the step (appended to the workspace URL), or null.
 */
export type ActivationMilestone = {
  key: string;
  title: string;
  windowDays: number;
  link: string | null;
  /** What is counted, in words, for "1 of 2 teammates invited"; days for active_days when absent. */
  counted?: { one: string; other: string };
} & ({ kind: "event"; event: string; count: number } | { kind: "active_days"; days: number });
/** A flag feature is included or not; a limit is a number, or null for unlimited. */
export type FeatureValue = boolean | number | null;
export type FaqEntry = { question: string; answer: string };

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const products = pgTable("products", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  tagline: text("tagline").notNull(),
  description: text("description").notNull(),
  faq: jsonb("faq").$type<FaqEntry[]>().notNull().default([]),
  /** The matching Stripe product, set by the catalog sync. */
  stripeProductId: text("stripe_product_id"),
  ...timestamps,
});

export const features = pgTable(
  "features",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    groupName: text("group_name").notNull(),
    kind: text("kind").$type<FeatureKind>().notNull(),
    unit: text("unit"),
    sortOrder: integer("sort_order").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("features_product_key_idx").on(t.productId, t.key),
    check("features_kind_check", sql`${t.kind} in ('flag', 'limit')`),
  ],
);

export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    summary: text("summary").notNull(),
    description: text("description").notNull(),
    sortOrder: integer("sort_order").notNull(),
    salesMode: text("sales_mode").$type<PlanSalesMode>().notNull(),
    pricingModel: text("pricing_model").$type<PricingModel>().notNull(),
    minSeats: integer("min_seats").notNull(),
    maxSeats: integer("max_seats"),
    trialDays: integer("trial_days").notNull(),
    highlighted: boolean("highlighted").notNull().default(false),
    active: boolean("active").notNull().default(true),
    provisioner: text("provisioner").notNull(),
    provisioningTrigger: text("provisioning_trigger").$type<ProvisioningTrigger>().notNull(),
    /** Provisioner-specific settings, e.g. the result fields staff fill in for a manual setup. */
    provisioningConfig: jsonb("provisioning_config").$type<Record<string, unknown>>().notNull().default({}),
    /** The plan's own Stripe product, whose name Checkout and invoices show (ADR 16); set by the catalog sync. */
    stripeProductId: text("stripe_product_id"),
    /** The plan's activation milestones, in the order the customer's checklist shows them (ADR 21). */
    milestones: jsonb("milestones").$type<ActivationMilestone[]>().notNull().default([]),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("plans_product_slug_idx").on(t.productId, t.slug),
    check("plans_sales_mode_check", sql`${t.salesMode} in ('self_serve', 'contact_sales')`),
    check("plans_pricing_model_check", sql`${t.pricingModel} in ('per_seat', 'flat')`),
    check("plans_trigger_check", sql`${t.provisioningTrigger} in ('on_order', 'on_payment', 'after_approval')`),
    check("plans_seats_check", sql`${t.minSeats} >= 1 and (${t.maxSeats} is null or ${t.maxSeats} >= ${t.minSeats})`),
    check("plans_trial_days_check", sql`${t.trialDays} >= 0`),
  ],
);

export const prices = pgTable(
  "prices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    interval: text("interval").$type<BillingInterval>().notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    /** Integer minor units (cents); per seat when the plan is priced per seat. */
    unitAmount: integer("unit_amount").notNull(),
    /** Stable key the billing sync uses to find the matching Stripe price. */
    lookupKey: text("lookup_key").notNull().unique(),
    active: boolean("active").notNull().default(true),
    /** The Stripe price holding this lookup key, set by the catalog sync. */
    stripePriceId: text("stripe_price_id"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("prices_plan_interval_currency_idx").on(t.planId, t.interval, t.currency),
    check("prices_interval_check", sql`${t.interval} in ('month', 'year')`),
    check("prices_amount_check", sql`${t.unitAmount} >= 0`),
  ],
);

/**
 * Price history: every Stripe price a catalog price has been sold at, written by the catalog
 * sync. A changed amount adds a row and archives the previous one (`archived_at`); rows are
 * never rewritten or deleted, so subscriptions and open checkouts on an old price still map to
 * their plan (ADR 4).
 */
export const priceVersions = pgTable(
  "price_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    priceId: uuid("price_id")
      .notNull()
      .references(() => prices.id, { onDelete: "cascade" }),
    stripePriceId: text("stripe_price_id").notNull().unique(),
    /** Integer minor units, as Stripe bills this version; per seat when the plan is priced per seat. */
    unitAmount: integer("unit_amount").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** When a newer version took over; null for the version new checkouts use. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("price_versions_one_current_idx")
      .on(t.priceId)
      .where(sql`${t.archivedAt} is null`),
  ],
);

export const planFeatures = pgTable(
  "plan_features",
  {
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    featureId: uuid("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    value: jsonb("value").$type<FeatureValue>(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.featureId] })],
);
