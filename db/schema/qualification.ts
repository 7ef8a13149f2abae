import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { pagedTime } from "./columns";
import { organisations, users } from "./accounts";

/** A completed self-qualification: what the prospect answered, what we told them, where they came from. */
export const leads = pgTable(
  "leads",
  {
    /** Random, so the shareable result link cannot be guessed. */
    id: uuid("id").primaryKey().defaultRandom(),
    createdAt: pagedTime("created_at").notNull().defaultNow(),
    answers: jsonb("answers").$type<Record<string, unknown>>().notNull(),
    verdict: text("verdict").notNull(),
    planSlug: text("plan_slug"),
    score: integer("score").notNull(),
    result: jsonb("result").$type<Record<string, unknown>>().notNull(),
    attribution: jsonb("attribution").$type<Record<string, unknown>>(),
    organisationId: uuid("organisation_id").references(() => organisations.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    /** When the prospect first asked to be contacted; what they sent is in `contact_requests`. */
    contactRequestedAt: timestamp("contact_requested_at", { withTimezone: true }),
  },
  (t) => [
    index("leads_created_idx").on(t.createdAt, t.id),
    index("leads_verdict_created_idx").on(t.verdict, t.createdAt, t.id),
    index("leads_plan_created_idx").on(t.planSlug, t.createdAt, t.id),
    index("leads_verdict_plan_created_idx").on(t.verdict, t.planSlug, t.createdAt, t.id),
    index("leads_organisation_idx").on(t.organisationId),
    // The leads list's "asked to be contacted" filter, newest first.
    index("leads_contact_created_idx")
      .on(t.createdAt, t.id)
      .where(sql`${t.contactRequestedAt} is not null`),
  ],
);

/**
 * Each "contact me" sent about a lead, kept as sent: the result link can be shared, so a later
 * request (another person, another address) is a further row and never replaces an earlier one.
 * The same address and message twice (a double click, two tabs) is one row. Rows are never
 * updated: a trigger in migration 0015 refuses it.
 */
export const contactRequests = pgTable(
  "contact_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Lowercased, as the form's email field gives it. */
    email: text("email").notNull(),
    message: text("message").notNull().default(""),
    /** Who was signed in when it was sent, if anyone. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("contact_requests_lead_idx").on(t.leadId, t.createdAt),
    // The staff home's recent contact requests, newest first.
    index("contact_requests_created_idx").on(t.createdAt, t.id),
    uniqueIndex("contact_requests_once_idx").on(t.leadId, t.email, sql`md5(${t.message})`),
  ],
);
