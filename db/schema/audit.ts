import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export type ActorType = "user" | "staff" | "system" | "anonymous";

/** Who did what to which record: written in the same transaction as the change itself. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type").$type<ActorType>().notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    organisationId: uuid("organisation_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("audit_events_subject_idx").on(t.subjectType, t.subjectId, t.occurredAt),
    index("audit_events_organisation_idx").on(t.organisationId, t.occurredAt),
  ],
);
