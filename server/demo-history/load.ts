/**
 * `loadDemoHistory`: writes N demo-history accounts (story.ts) into the database with batched
 * `unnest` inserts. Idempotent: every row has a deterministic key and is inserted with
 * `on conflict do nothing`; provisioning events are written only with their newly inserted request,
 * usage events only with their newly inserted message id (`usage_message_ids`, the ingest's own
 * dedupe), so a second run, or a run with more accounts, adds only what is missing.
 */
import { eq } from "drizzle-orm";
import { requireCatalog, type Catalog } from "../../app/modules/catalog/catalog.server";
import { rollUpUsage } from "../../app/modules/usage/rollup.server";
import { carryForward, rollUpAccount } from "../../app/modules/metrics/rollup.server";
import { loadPlanPolicy } from "../../app/modules/catalog/plan-policy.server";
import type { Database, Sql } from "../../db/client";
import { plans, prices } from "../../db/schema";
import { buildStory, type PlanPolicies, type Row, type Story, type StoryContext } from "./story";
import { historyId } from "./random";
import { scoreDemoAccounts } from "./success";

/** Column types per table, in insertion order (foreign keys first). */
const TABLES: Record<string, Record<string, string>> = {
  users: {
    id: "uuid",
    email: "text",
    name: "text",
    password_hash: "text",
    email_verified_at: "timestamptz",
    created_at: "timestamptz",
    updated_at: "timestamptz",
  },
  organisations: { id: "uuid", name: "text", attribution: "jsonb", created_by: "uuid", created_at: "timestamptz" },
  memberships: { organisation_id: "uuid", user_id: "uuid", role: "text", created_at: "timestamptz" },
  leads: {
    id: "uuid",
    created_at: "timestamptz",
    answers: "jsonb",
    verdict: "text",
    plan_slug: "text",
    score: "integer",
    result: "jsonb",
    attribution: "jsonb",
    organisation_id: "uuid",
    user_id: "uuid",
  },
  service_instances: {
    id: "uuid",
    account_id: "uuid",
    product_slug: "text",
    plan_slug: "text",
    status: "text",
    access: "jsonb",
    snapshot: "jsonb",
    created_at: "timestamptz",
    updated_at: "timestamptz",
  },
  provisioning_requests: {
    id: "uuid",
    account_id: "uuid",
    instance_id: "uuid",
    operation: "text",
    status: "text",
    provisioner: "text",
    config: "jsonb",
    snapshot: "jsonb",
    attempts: "integer",
    max_attempts: "integer",
    result: "jsonb",
    last_error: "text",
    waiting_reason: "text",
    sla_due_at: "timestamptz",
    sla_notified_at: "timestamptz",
    idempotency_key: "text",
    created_at: "timestamptz",
    updated_at: "timestamptz",
    completed_at: "timestamptz",
  },
  provisioning_events: {
    request_id: "uuid",
    occurred_at: "timestamptz",
    actor_type: "text",
    from_status: "text",
    to_status: "text",
    message: "text",
  },
  trials: {
    id: "uuid",
    account_id: "uuid",
    product_slug: "text",
    plan_slug: "text",
    instance_id: "uuid",
    status: "text",
    started_at: "timestamptz",
    ends_at: "timestamptz",
    length_days: "integer",
    started_by: "uuid",
    reminder_sent_at: "timestamptz",
    expired_at: "timestamptz",
    deprovision_requested_at: "timestamptz",
  },
  trial_outreach: {
    trial_id: "uuid",
    first_contact_at: "timestamptz",
    staff_id: "uuid",
    via: "text",
    before_outcome: "boolean",
  },
  demo_tenants: {
    instance_id: "uuid",
    subdomain: "text",
    plan_slug: "text",
    limits: "jsonb",
    seats: "integer",
    status: "text",
    updated_at: "timestamptz",
  },
  orders: {
    id: "uuid",
    account_id: "uuid",
    ordered_by: "uuid",
    product_slug: "text",
    plan_slug: "text",
    interval: "text",
    seats: "integer",
    currency: "text",
    total_amount: "integer",
    status: "text",
    stripe_checkout_session_id: "text",
    checkout_url: "text",
    stripe_subscription_id: "text",
    provisioning_request_id: "uuid",
    created_at: "timestamptz",
    updated_at: "timestamptz",
    paid_at: "timestamptz",
    charged_at_checkout: "integer",
    first_charge_at: "timestamptz",
    first_charge_amount: "integer",
  },
  billing_customers: { account_id: "uuid", stripe_customer_id: "text" },
  subscriptions: {
    id: "text",
    account_id: "uuid",
    status: "text",
    plan_slug: "text",
    stripe_price_id: "text",
    quantity: "integer",
    mrr_minor: "bigint",
    currency: "text",
    billing_interval: "text",
    current_period_end: "timestamptz",
    cancel_at_period_end: "boolean",
    payment_failed_at: "timestamptz",
    ended_at: "timestamptz",
    deprovision_requested_at: "timestamptz",
    instance_id: "uuid",
    updated_at: "timestamptz",
  },
  subscription_ledger: {
    subscription_id: "text",
    account_id: "uuid",
    change: "text",
    occurred_at: "timestamptz",
    mrr_before_minor: "bigint",
    mrr_after_minor: "bigint",
    currency: "text",
    reporting_before_minor: "bigint",
    reporting_after_minor: "bigint",
    reporting_currency: "text",
    plan_slug: "text",
    quantity: "integer",
    status: "text",
    reason: "text",
    stripe_event_id: "text",
  },
  stripe_events: {
    id: "text",
    type: "text",
    received_at: "timestamptz",
    processed_at: "timestamptz",
    payload: "jsonb",
  },
  audit_events: {
    id: "uuid",
    occurred_at: "timestamptz",
    actor_type: "text",
    action: "text",
    subject_type: "text",
    subject_id: "text",
    organisation_id: "uuid",
    details: "jsonb",
  },
};
const USAGE_COLUMNS = {
  instance_id: "uuid",
  account_id: "uuid",
  message_id: "text",
  type: "text",
  event: "text",
  user_id: "text",
  occurred_at: "timestamptz",
  properties: "jsonb",
};
const MILESTONE_COLUMNS = {
  instance_id: "uuid",
  account_id: "uuid",
  milestone_key: "text",
  reached_at: "timestamptz",
  recorded_at: "timestamptz",
};
/** Rows per statement: large enough to be fast, small enough to keep each statement's memory modest. */
const BATCH = 5_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `appUrl` is the portal's address: the demo workspaces' URLs (`<appUrl>/demo/<tenant>`) start with it. */
export type HistoryOptions = { accounts: number; seed: string; appUrl: string; now?: Date };
/** Rows of the loaded accounts per table (`total`), and how many of them this run added (`added`). */
export type HistoryCounts = Record<string, { total: number; added: number }>;

function text(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (type === "jsonb") return JSON.stringify(value);
  return String(value);
}

/** `insert … select from unnest($1::text[]::type[], …)`; returns the inserted rows' `returning` column, if asked. */
async function insertRows(
  sql: Sql,
  table: string,
  columns: Record<string, string>,
  rows: Row[],
  returning?: string,
): Promise<string[]> {
  const names = Object.keys(columns);
  const inserted: string[] = [];
  for (let offset = 0; offset < rows.length; offset += BATCH) {
    const batch = rows.slice(offset, offset + BATCH);
    const params = names.map((name) => batch.map((row) => text(row[name], columns[name]!)));
    const query = `insert into ${table} (${names.join(", ")})
      select * from unnest(${names.map((name, n) => `$${n + 1}::text[]::${columns[name]}[]`).join(", ")})
      on conflict do nothing${returning ? ` returning ${returning}::text` : ""}`;
    const result = await sql.unsafe<Record<string, string>[]>(query, params as never[]);
    if (returning) inserted.push(...result.map((row) => Object.values(row)[0]!));
    else inserted.push(...Array<string>(result.count));
  }
  return inserted;
}

/** Usage events and their message ids in one statement per batch: an id seen before keeps its event out. */
async function insertUsage(sql: Sql, rows: Row[]): Promise<number> {
  const names = Object.keys(USAGE_COLUMNS);
  let added = 0;
  for (let offset = 0; offset < rows.length; offset += BATCH) {
    const batch = rows.slice(offset, offset + BATCH);
    const params = names.map((name) =>
      batch.map((row) => text(row[name], USAGE_COLUMNS[name as keyof typeof USAGE_COLUMNS])),
    );
    const [row] = await sql.unsafe<{ added: number }[]>(
      `with input as (
         select * from unnest(${names.map((name, n) => `$${n + 1}::text[]::${USAGE_COLUMNS[name as keyof typeof USAGE_COLUMNS]}[]`).join(", ")})
           as t(${names.join(", ")})
       ), fresh as (
         insert into usage_message_ids (instance_id, message_id, month)
         select instance_id, message_id, date_trunc('month', occurred_at at time zone 'UTC')::date from input
         on conflict do nothing returning instance_id, message_id
       ), inserted as (
         insert into usage_events (${names.join(", ")}, backfill)
         select ${names.map((name) => `i.${name}`).join(", ")}, true from input i join fresh using (instance_id, message_id)
         returning 1
       ) select count(*)::int as added from inserted`,
      params as never[],
    );
    added += row!.added;
  }
  return added;
}

/** The plans' provisioners and Stripe prices, as a real purchase would have used them. */
async function planPolicies(db: Database, catalog: Catalog): Promise<PlanPolicies> {
  const policies: PlanPolicies = {};
  const priceRows = await db
    .select({ plan: plans.slug, interval: prices.interval, stripePriceId: prices.stripePriceId })
    .from(prices)
    .innerJoin(plans, eq(plans.id, prices.planId));
  for (const plan of catalog.plans) {
    const policy = await loadPlanPolicy(db, catalog.product.slug, plan.slug);
    if (!policy) continue;
    const stripePrices = Object.fromEntries(
      priceRows.filter((row) => row.plan === plan.slug).map((row) => [row.interval, row.stripePriceId]),
    );
    policies[plan.slug] = { provisioner: policy.provisioner, config: policy.config, stripePrices };
  }
  return policies;
}

/**
 * The day the history ends: today (UTC midnight), or, once loaded, the day of the first load, read
 * back from the first account's sign-up (its offset from the end follows from the seed alone).
 */
async function historyAnchor(sql: Sql, context: Omit<StoryContext, "anchor">): Promise<Date> {
  const today = new Date(Math.floor(context.now.getTime() / DAY_MS) * DAY_MS);
  const [existing] = await sql<{ created_at: string }[]>`
    select created_at from organisations where id = ${historyId(context.seed, 0, "organisation")}`;
  if (!existing) return today;
  const probe = buildStory({ ...context, anchor: new Date(0) }, 0).tables.organisations![0]!;
  return new Date(new Date(existing.created_at).getTime() - (probe.created_at as Date).getTime());
}

/**
 * Loads `accounts` demo-history accounts for `seed`: six months ending on the day of the first load
 * (a later run keeps that end, so it adds nothing twice). Expects a migrated database with the demo
 * catalog seeded. Returns, per table, the rows the loaded accounts have and how many this run added.
 */
export async function loadDemoHistory(
  handle: { db: Database; sql: Sql },
  options: HistoryOptions,
): Promise<HistoryCounts> {
  const { db, sql } = handle;
  const now = options.now ?? new Date();
  const catalog = await requireCatalog(db);
  const base = { seed: options.seed, appUrl: options.appUrl, catalog, policies: await planPolicies(db, catalog), now };
  const context: StoryContext = { ...base, anchor: await historyAnchor(sql, base) };
  const stories: Story[] = [];
  for (let index = 0; index < options.accounts; index += 1) stories.push(buildStory(context, index));

  const added: Record<string, number> = {};
  await sql.begin(async (transaction) => {
    const tx = transaction as unknown as Sql;
    let freshRequests = new Set<string>();
    for (const [table, columns] of Object.entries(TABLES)) {
      let rows = stories.flatMap((story) => story.tables[table] ?? []);
      // Events have no natural key: they go in with their request, or not at all.
      if (table === "provisioning_events") rows = rows.filter((row) => freshRequests.has(row.request_id as string));
      const inserted = await insertRows(tx, table, columns, rows, table === "provisioning_requests" ? "id" : undefined);
      if (table === "provisioning_requests") freshRequests = new Set(inserted);
      added[table] = inserted.length;
    }
  });
  const usage = stories.flatMap((story) => story.usage);
  const first = usage.reduce((min, row) => Math.min(min, row.occurred_at.getTime()), now.getTime());
  await sql`select usage_ensure_partitions(${new Date(first).toISOString()}::date, ${now.toISOString()}::date)`;
  await sql.begin(async (transaction) => {
    const tx = transaction as unknown as Sql;
    added.usage_events = await insertUsage(tx, usage);
    const milestones = stories.flatMap((story) => story.milestones);
    added.activation_milestones = (await insertRows(tx, "activation_milestones", MILESTONE_COLUMNS, milestones)).length;
  });
  // The daily tables every screen reads, written before the command returns (backfill: no activation job).
  if (added.usage_events! > 0) await rollUpUsage(db);
  await rollUpRevenue(db, accountIdsOf(stories), now);
  // Scoring writes tasks, their audit events and snapshots: what it added is the difference it made.
  const unscored = await countTotals(sql, stories, added);
  await scoreDemoAccounts(db, accountIdsOf(stories), now);
  const totals = await countTotals(sql, stories, added);
  for (const table of ["audit_events", "cs_tasks", "health_snapshots"])
    totals[table]!.added += totals[table]!.total - unscored[table]!.total;
  return totals;
}

/**
 * The revenue metrics of the loaded accounts (issue 17): each account's months rebuilt from the
 * ledger rows just written, as the rollup job would after each webhook, then every paying account
 * carried into this month. Idempotent (a rebuild replaces what it wrote before).
 */
async function rollUpRevenue(db: Database, accountIds: string[], now: Date): Promise<void> {
  const PER_TRANSACTION = 200;
  for (let offset = 0; offset < accountIds.length; offset += PER_TRANSACTION)
    await db.transaction(async (tx) => {
      for (const accountId of accountIds.slice(offset, offset + PER_TRANSACTION))
        await rollUpAccount(tx, accountId, now);
    });
  await carryForward(db, now);
}

const accountIdsOf = (stories: Story[]) => stories.map((story) => story.tables.organisations![0]!.id as string);

/** What the loaded accounts have now, per table, beside what this run added. */
async function countTotals(sql: Sql, stories: Story[], added: Record<string, number>): Promise<HistoryCounts> {
  const accountIds = accountIdsOf(stories);
  const idsOf = (table: string) =>
    stories.flatMap((story) => (story.tables[table] ?? []).map((row) => row.id as string));
  const [userIds, leadIds] = [idsOf("users"), idsOf("leads")];
  const [row] = await sql<Record<string, number>[]>`
    select
      (select count(*)::int from users where id = any(${userIds}::uuid[])) as users,
      (select count(*)::int from organisations where id = any(${accountIds}::uuid[])) as organisations,
      (select count(*)::int from memberships where organisation_id = any(${accountIds}::uuid[])) as memberships,
      (select count(*)::int from leads where id = any(${leadIds}::uuid[])) as leads,
      (select count(*)::int from service_instances where account_id = any(${accountIds}::uuid[])) as service_instances,
      (select count(*)::int from provisioning_requests where account_id = any(${accountIds}::uuid[])) as provisioning_requests,
      (select count(*)::int from provisioning_events e join provisioning_requests r on r.id = e.request_id
        where r.account_id = any(${accountIds}::uuid[])) as provisioning_events,
      (select count(*)::int from trials where account_id = any(${accountIds}::uuid[])) as trials,
      (select count(*)::int from trial_outreach o join trials t on t.id = o.trial_id
        where t.account_id = any(${accountIds}::uuid[])) as trial_outreach,
      (select count(*)::int from demo_tenants t join service_instances i on i.id = t.instance_id
        where i.account_id = any(${accountIds}::uuid[])) as demo_tenants,
      (select count(*)::int from orders where account_id = any(${accountIds}::uuid[])) as orders,
      (select count(*)::int from billing_customers where account_id = any(${accountIds}::uuid[])) as billing_customers,
      (select count(*)::int from subscriptions where account_id = any(${accountIds}::uuid[])) as subscriptions,
      (select count(*)::int from subscription_ledger where account_id = any(${accountIds}::uuid[])) as subscription_ledger,
      (select count(*)::int from stripe_events where id like 'evt_hist_%') as stripe_events,
      (select count(*)::int from audit_events where organisation_id = any(${accountIds}::uuid[])) as audit_events,
      (select count(*)::int from usage_events where account_id = any(${accountIds}::uuid[])) as usage_events,
      (select count(*)::int from activation_milestones where account_id = any(${accountIds}::uuid[])) as activation_milestones,
      (select count(*)::int from cs_tasks where account_id = any(${accountIds}::uuid[])) as cs_tasks,
      (select count(*)::int from health_snapshots where account_id = any(${accountIds}::uuid[])) as health_snapshots`;
  return Object.fromEntries(Object.entries(row!).map(([table, total]) => [table, { total, added: added[table] ?? 0 }]));
}
