/**
 * Usage flowing back from the vendor's product (issue 15, ADR 21): ingest keys, raw events
 * (partitioned by month), the rollups every screen reads, and activation milestones reached.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "./accounts";
import { serviceInstances } from "./provisioning";

/** PostgreSQL's 64-bit transaction id (`xid8`), read and written as a decimal string. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

export type UsageEventType = "track" | "identify" | "group";

/**
 * The keys a service instance's product reports usage with. Stored as SHA-256 of the key (keys are
 * random, 256 bits); `prefix` is the key's first characters, shown so people can tell keys apart.
 * One key in force per instance: issuing a new one revokes the previous one at once.
 */
export const usageIngestKeys = pgTable(
  "usage_ingest_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id")
      .notNull()
      .references(() => serviceInstances.id, { onDelete: "cascade" }),
    keyHash: text("key_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    /** Who asked for it: the provisioning run (system), a staff member, or one of the customer's admins. */
    createdByType: text("created_by_type").$type<"system" | "staff" | "user">().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("usage_ingest_keys_one_active_idx")
      .on(t.instanceId)
      .where(sql`${t.revokedAt} is null`),
    check("usage_ingest_keys_created_by_type_check", sql`${t.createdByType} in ('system', 'staff', 'user')`),
  ],
);

/**
 * Raw events, as accepted. Partitioned by month of `occurred_at` (migration 0018: created ahead by
 * the `usage_partitions` job, dropped past the retention setting). No screen reads this table: the
 * rollup job reads it by `tx_id` (the inserting transaction, `pg_current_xact_id()`), every other
 * reader reads the rollups below.
 */
export const usageEvents = pgTable(
  "usage_events",
  {
    instanceId: uuid("instance_id").notNull(),
    accountId: uuid("account_id").notNull(),
    messageId: text("message_id").notNull(),
    type: text("type").$type<UsageEventType>().notNull(),
    /** The track call's event name; null for identify and group. */
    event: text("event"),
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    /** When it happened, corrected for the sender's clock skew (Segment: timestamp, sentAt, receivedAt). */
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** track: properties; identify and group: traits (group's also carry `groupId`). */
    properties: jsonb("properties").$type<Record<string, unknown>>().notNull().default({}),
    /** Sent with `backfill: true`: counted in the rollups (history), triggers nothing. */
    backfill: boolean("backfill").notNull().default(false),
    txId: xid8("tx_id")
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index("usage_events_instance_idx").on(t.instanceId, t.occurredAt),
    index("usage_events_tx_idx").on(t.txId),
    check("usage_events_type_check", sql`${t.type} in ('track', 'identify', 'group')`),
  ],
);

/**
 * One row per event ever accepted, kept as long as the event (retention deletes by month): a
 * message id sent again, at any time, is a duplicate. Not partitioned, so the key can be unique.
 */
export const usageMessageIds = pgTable(
  "usage_message_ids",
  {
    instanceId: uuid("instance_id").notNull(),
    messageId: text("message_id").notNull(),
    /** The month (first day) of the event's `occurred_at`: the partition it lives in. */
    month: date("month").notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.messageId] }), index("usage_message_ids_month_idx").on(t.month)],
);

/** How far the rollup job has read: every event of a transaction id below `through_tx_id` is rolled up. */
export const usageRollupState = pgTable(
  "usage_rollup_state",
  {
    id: smallint("id").primaryKey().default(1),
    throughTxId: xid8("through_tx_id").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("usage_rollup_state_one_row_check", sql`${t.id} = 1`)],
);

/** Per instance and UTC day: track calls per event name (the feature key), with the first and last. */
export const usageDailyEvents = pgTable(
  "usage_daily_events",
  {
    instanceId: uuid("instance_id").notNull(),
    accountId: uuid("account_id").notNull(),
    day: date("day").notNull(),
    event: text("event").notNull(),
    count: integer("count").notNull(),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.day, t.event] }),
    index("usage_daily_events_account_idx").on(t.accountId, t.day),
  ],
);

/** Per instance and UTC day: each user seen (any call with a userId). Active users are counted here. */
export const usageDailyUsers = pgTable(
  "usage_daily_users",
  {
    instanceId: uuid("instance_id").notNull(),
    day: date("day").notNull(),
    userId: text("user_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.day, t.userId] })],
);

/** Per instance and UTC day: active users, events, and users the product knows (seats in use). */
export const usageDaily = pgTable(
  "usage_daily",
  {
    instanceId: uuid("instance_id").notNull(),
    accountId: uuid("account_id").notNull(),
    day: date("day").notNull(),
    activeUsers: integer("active_users").notNull(),
    events: integer("events").notNull(),
    /** Users the product had identified by the end of the day (its seats in use). */
    seatsInUse: integer("seats_in_use").notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.day] }), index("usage_daily_account_idx").on(t.accountId, t.day)],
);

/** The product's users (identify calls, or any call's userId): traits and when first and last seen. */
export const usageUsers = pgTable(
  "usage_users",
  {
    instanceId: uuid("instance_id").notNull(),
    userId: text("user_id").notNull(),
    traits: jsonb("traits").$type<Record<string, unknown>>().notNull().default({}),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.userId] })],
);

/**
 * The latest group traits per instance (the workspace as the product sees it). Traits named after
 * a plan limit (`projects`, `storage_gb`, `api_calls`) are its current use of that limit.
 */
export const usageInstanceTraits = pgTable("usage_instance_traits", {
  instanceId: uuid("instance_id").primaryKey(),
  traits: jsonb("traits").$type<Record<string, unknown>>().notNull().default({}),
  /** The `occurred_at` of the group call the traits came from: an older call never overwrites a newer one. */
  asOf: timestamp("as_of", { withTimezone: true }).notNull(),
});

/** A milestone an instance reached (ADR 21): when, and the account, for the timeline and activation. */
export const activationMilestones = pgTable(
  "activation_milestones",
  {
    instanceId: uuid("instance_id")
      .notNull()
      .references(() => serviceInstances.id, { onDelete: "cascade" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    milestoneKey: text("milestone_key").notNull(),
    reachedAt: timestamp("reached_at", { withTimezone: true }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.milestoneKey] }),
    index("activation_milestones_account_idx").on(t.accountId, t.reachedAt),
  ],
);

/** A person's choice not to receive a list of emails (e.g. `onboarding`), from an email's unsubscribe link. */
export const emailUnsubscribes = pgTable(
  "email_unsubscribes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    list: text("list").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.list] })],
);

/** Settings read by the usage jobs; one row. */
export const usageSettings = pgTable(
  "usage_settings",
  {
    id: smallint("id").primaryKey().default(1),
    /** Whole months of raw events kept (default 13); older partitions are dropped with their message ids. */
    retentionMonths: integer("retention_months").notNull().default(13),
    /** Events older than this many days are refused unless sent with `backfill: true` (default 35). */
    lateDays: integer("late_days").notNull().default(35),
  },
  (t) => [
    check("usage_settings_one_row_check", sql`${t.id} = 1`),
    check("usage_settings_retention_check", sql`${t.retentionMonths} between 2 and 120`),
  ],
);
