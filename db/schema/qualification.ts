import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations, users } from "./accounts";

/** A completed self-qualification: what the prospect answered, what we told them, where they came from. */
export const leads = pgTable(
  "leads",
  {
    /** Random, so the shareable result link cannot be guessed. */
    id: uuid("id").primaryKey().defaultRandom(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    answers: jsonb("answers").$type<Record<string, unknown>>().notNull(),
    verdict: text("verdict").notNull(),
    planSlug: text("plan_slug"),
    score: integer("score").notNull(),
    result: jsonb("result").$type<Record<string, unknown>>().notNull(),
    attribution: jsonb("attribution").$type<Record<string, unknown>>(),
    organisationId: uuid("organisation_id").references(() => organisations.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    contactRequestedAt: timestamp("contact_requested_at", { withTimezone: true }),
    contactEmail: text("contact_email"),
    contactMessage: text("contact_message"),
  },
  (t) => [
    index("leads_created_idx").on(t.createdAt, t.id),
    index("leads_verdict_created_idx").on(t.verdict, t.createdAt, t.id),
    index("leads_plan_created_idx").on(t.planSlug, t.createdAt, t.id),
    index("leads_organisation_idx").on(t.organisationId),
  ],
);
