import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organisations, users } from "./accounts";
import { serviceInstances } from "./provisioning";

export type TrialStatus = "active" | "expired" | "converted";

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
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    /** Set when the "3 days left" email was queued, so the sweep sends it once. */
    reminderSentAt: timestamp("reminder_sent_at", { withTimezone: true }),
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    deprovisionRequestedAt: timestamp("deprovision_requested_at", { withTimezone: true }),
    extensions: integer("extensions").notNull().default(0),
  },
  (t) => [
    // One active trial per organisation and product.
    uniqueIndex("trials_one_active_idx")
      .on(t.accountId, t.productSlug)
      .where(sql`${t.status} = 'active'`),
    index("trials_ends_idx").on(t.status, t.endsAt),
    check("trials_status_check", sql`${t.status} in ('active', 'expired', 'converted')`),
  ],
);
