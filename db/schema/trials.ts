import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { pagedTime } from "./columns";
import { organisations, users } from "./accounts";
import { serviceInstances } from "./provisioning";

export type TrialStatus = "active" | "expired" | "converted";

/**
 * Staff permission for one more trial of a product, beyond the one every organisation gets (issue 11:
 * one trial per organisation and product, ever). A grant is used by the trial that names it.
 */
export const trialGrants = pgTable(
  "trial_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    productSlug: text("product_slug").notNull(),
    /** The staff member; null for grants the migration recorded for trials started before the rule. */
    grantedBy: uuid("granted_by").references(() => users.id, { onDelete: "set null" }),
    reason: text("reason").notNull(),
    grantedAt: timestamp("granted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("trial_grants_account_idx").on(t.accountId, t.productSlug)],
);

/** The portal's own trials: self-service, no card, no Stripe object (docs/architecture.md, Billing). */
export const trials = pgTable(
  "trials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    productSlug: text("product_slug").notNull(),
    planSlug: text("plan_slug").notNull(),
    instanceId: uuid("instance_id")
      .notNull()
      .references(() => serviceInstances.id, { onDelete: "cascade" }),
    status: text("status").$type<TrialStatus>().notNull().default("active"),
    startedAt: pagedTime("started_at").notNull().defaultNow(),
    /**
     * When the trial ends. Null while its clock waits: a plan whose instance staff set up by hand
     * starts counting when the setup completes (issue 14, item 9), and the end is then set to that
     * moment plus `lengthDays`.
     */
    endsAt: timestamp("ends_at", { withTimezone: true }),
    /** The trial's length in days when it started (the plan's trial days); null for trials started before it was kept. */
    lengthDays: integer("length_days"),
    /**
     * When the trial's clock started (its end was set): at the start, or when a waiting setup completed.
     * Null while it waits, and for trials recorded before it was kept. The lifecycle emails count from it.
     */
    clockStartedAt: timestamp("clock_started_at", { withTimezone: true }),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    /** Set when the "3 days left" email was queued, so the sweep sends it once. */
    reminderSentAt: timestamp("reminder_sent_at", { withTimezone: true }),
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    deprovisionRequestedAt: timestamp("deprovision_requested_at", { withTimezone: true }),
    extensions: integer("extensions").notNull().default(0),
    /** The staff grant this trial uses; null for the organisation's one trial of the product. */
    grantId: uuid("grant_id")
      .unique()
      .references(() => trialGrants.id),
  },
  (t) => [
    // One active trial per organisation and product.
    uniqueIndex("trials_one_active_idx")
      .on(t.accountId, t.productSlug)
      .where(sql`${t.status} = 'active'`),
    // One trial per organisation and product, ever; each further one uses its own staff grant.
    uniqueIndex("trials_once_per_product_idx")
      .on(t.accountId, t.productSlug)
      .where(sql`${t.grantId} is null`),
    index("trials_ends_idx").on(t.status, t.endsAt),
    // The health job reads each account's latest trial, for a batch of accounts (issue 16).
    index("trials_account_idx").on(t.accountId, t.startedAt),
    // The funnel and trial conversion read the trials started in a range of months (issue 17).
    index("trials_started_idx").on(t.startedAt),
    // The setup-complete hook finds an instance's trial (to start a waiting clock, to tell its end).
    index("trials_instance_idx").on(t.instanceId),
    // An account's timeline reads its trial reminders newest first.
    index("trials_reminder_idx")
      .on(t.accountId, t.reminderSentAt)
      .where(sql`${t.reminderSentAt} is not null`),
    // The lifecycle email sweep reads a window of recently started clocks, by keyset.
    index("trials_clock_started_idx")
      .on(t.clockStartedAt, t.id)
      .where(sql`${t.status} = 'active' and ${t.clockStartedAt} is not null`),
    check("trials_end_known_check", sql`${t.endsAt} is not null or ${t.lengthDays} is not null`),
    check("trials_status_check", sql`${t.status} in ('active', 'expired', 'converted')`),
  ],
);
