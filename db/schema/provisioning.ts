import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, jsonb, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { pagedTime } from "./columns";
import { organisations, users } from "./accounts";

/** What provisioning requests store; provisioning/types re-exports these under the same names. */
export type Operation = "provision" | "modify" | "suspend" | "resume" | "deprovision";
export type RequestStatus =
  "queued" | "running" | "waiting_staff" | "waiting_customer" | "succeeded" | "failed" | "cancelled";

/** What was bought, frozen when the request was made: later catalog changes do not alter it. */
export type Snapshot = {
  productSlug: string;
  planSlug: string;
  planName: string;
  seats: number;
  /** Limit features: a number, or null for unlimited. */
  limits: Record<string, number | null>;
  /** Flag features the plan includes. */
  features: string[];
  /** Trial requests say so: the instance is the same one a purchase later modifies. */
  trialEndsAt: string | null;
};

/** Access details a customer may see: URLs, login names. Never passwords or keys in clear. */
export type ProvisioningResult = Record<string, string>;

export type ProvisioningActorType = "system" | "staff" | "provisioner" | "customer";

/** What a customer has: the thing provisioning requests create, change and remove. */
export const serviceInstances = pgTable(
  "service_instances",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    productSlug: text("product_slug").notNull(),
    planSlug: text("plan_slug").notNull(),
    status: text("status").$type<"pending" | "active" | "suspended" | "deprovisioned">().notNull().default("pending"),
    /** Access details from the provisioner; never secrets in clear. */
    access: jsonb("access").$type<ProvisioningResult>(),
    snapshot: jsonb("snapshot").$type<Snapshot>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("service_instances_account_idx").on(t.accountId)],
);

export const provisioningRequests = pgTable(
  "provisioning_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    instanceId: uuid("instance_id")
      .notNull()
      .references(() => serviceInstances.id, { onDelete: "cascade" }),
    operation: text("operation").$type<Operation>().notNull(),
    status: text("status").$type<RequestStatus>().notNull(),
    provisioner: text("provisioner").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    snapshot: jsonb("snapshot").$type<Snapshot>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    result: jsonb("result").$type<ProvisioningResult>(),
    lastError: text("last_error"),
    /** Why staff or the customer must act, shown in the queue and on the account page. */
    waitingReason: text("waiting_reason"),
    claimedBy: uuid("claimed_by").references(() => users.id, { onDelete: "set null" }),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    slaDueAt: pagedTime("sla_due_at").notNull(),
    /** Asking twice for the same thing finds the first request. */
    idempotencyKey: text("idempotency_key").notNull().unique(),
    /** The statement's own time, not the transaction's: requests asked for in one transaction keep their order. */
    createdAt: timestamp("created_at", { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /**
     * When a control plane accepted the request (HTTP 202) and the portal waits for its callback: the
     * deadline, after which the callback sweep retries or escalates it (ADR 6). Null otherwise.
     */
    callbackDueAt: timestamp("callback_due_at", { withTimezone: true }),
    /** Set when staff were told the request is past its SLA, so they are told once. */
    slaNotifiedAt: timestamp("sla_notified_at", { withTimezone: true }),
    /**
     * The staff queue's order: a trial's setup waiting for staff first (its clock starts only when it
     * is ready, issue 14 item 9), then the rest waiting for staff, then failed, then the rest. Trial
     * setups are the `provision` requests `startTrial` asks for, keyed `trial:<id>`.
     */
    queueRank: smallint("queue_rank")
      .notNull()
      .generatedAlwaysAs(
        sql`case when status = 'waiting_staff' and operation = 'provision' and idempotency_key like 'trial:%' then 0 when status = 'waiting_staff' then 1 when status = 'failed' then 2 when status = 'queued' then 3 when status = 'running' then 4 when status = 'waiting_customer' then 5 else 6 end`,
      ),
  },
  (t) => [
    index("provisioning_requests_queue_idx").on(t.queueRank, t.slaDueAt, t.id),
    index("provisioning_requests_status_idx").on(t.status, t.slaDueAt, t.id),
    // The queue filtered by operation or plan, read in queue order (provisioning/queries.ts listQueue).
    index("provisioning_requests_operation_queue_idx").on(t.operation, t.queueRank, t.slaDueAt, t.id),
    index("provisioning_requests_plan_queue_idx").on(sql`(${t.snapshot}->>'planSlug')`, t.queueRank, t.slaDueAt, t.id),
    index("provisioning_requests_account_idx").on(t.accountId, t.createdAt),
    index("provisioning_requests_callback_due_idx")
      .on(t.callbackDueAt)
      .where(sql`${t.status} = 'running' and ${t.callbackDueAt} is not null`),
    check(
      "provisioning_requests_status_check",
      sql`${t.status} in ('queued', 'running', 'waiting_staff', 'waiting_customer', 'succeeded', 'failed', 'cancelled')`,
    ),
    check(
      "provisioning_requests_operation_check",
      sql`${t.operation} in ('provision', 'modify', 'suspend', 'resume', 'deprovision')`,
    ),
  ],
);

/** Every transition of a request: when, who, from, to, why. */
export const provisioningEvents = pgTable(
  "provisioning_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => provisioningRequests.id, { onDelete: "cascade" }),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type").$type<ProvisioningActorType>().notNull(),
    actorId: text("actor_id"),
    fromStatus: text("from_status").$type<RequestStatus>(),
    toStatus: text("to_status").$type<RequestStatus>().notNull(),
    message: text("message").notNull(),
  },
  (t) => [index("provisioning_events_request_idx").on(t.requestId, t.occurredAt)],
);

/** The demo provisioner's stand-in for a vendor's tenants, so the zero-setup demo shows real results. */
export const demoTenants = pgTable("demo_tenants", {
  instanceId: uuid("instance_id").primaryKey(),
  subdomain: text("subdomain").notNull().unique(),
  planSlug: text("plan_slug").notNull(),
  limits: jsonb("limits").$type<Record<string, number | null>>().notNull(),
  seats: integer("seats").notNull(),
  status: text("status").$type<"active" | "suspended" | "deleted">().notNull(),
  /** The demo product's own data (projects, teammates, integrations), as the demo workspace keeps it. */
  workspace: jsonb("workspace").$type<Record<string, unknown>>().notNull().default({}),
  /**
   * The ingest key the portal issued to this tenant, in clear: the tenant plays the vendor's product,
   * which must keep its key to report usage (the portal itself keeps only its hash).
   */
  ingestKey: text("ingest_key"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
