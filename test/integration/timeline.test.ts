import type { AppLoadContext } from "@remix-run/node";
import type { SQL } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbOrTx } from "../../db/client";
import {
  activationMilestones,
  auditEvents,
  billingCustomers,
  organisations,
  provisioningEvents,
  provisioningRequests,
  serviceInstances,
  stripeEvents,
  subscriptions,
  trials,
  users,
} from "../../db/schema";
import * as staffAccount from "../../app/routes/staff.accounts.$accountId";
import { loadCatalogWords } from "../../app/modules/catalog/labels.server";
import { accountTimeline, type TimelineItem } from "../../app/modules/usage/timeline.server";
import { TIMELINE_KINDS, type TimelineKind } from "../../app/modules/usage/timeline-words";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import { teamSnapshot } from "../support/usage";

let database: TestDatabase;
let context: AppLoadContext;
let planNames: Record<string, string>;
const ids = {} as Record<"account" | "other" | "staff" | "customer" | "instance" | "request" | "trial", string>;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 12, minute));
const snapshot = teamSnapshot();
const UUID_OR_KEY = /[0-9a-f]{8}-[0-9a-f]{4}|_[a-z]+_|\b(evt|sub|in|cus)_/i;

async function page(kinds: readonly TimelineKind[] = TIMELINE_KINDS, cursor: string | null = null, pageSize = 100) {
  return accountTimeline(database.db, ids.account, { kinds, cursor, planNames, pageSize });
}

async function invoiceEvent(id: string, type: string, customer: string, minute: number, object = {}, extra = {}) {
  await database.db.insert(stripeEvents).values({
    id,
    type,
    receivedAt: at(minute),
    processedAt: at(minute),
    payload: {
      id,
      type,
      data: {
        object: {
          customer,
          currency: "usd",
          ...(type.startsWith("invoice.")
            ? { parent: { subscription_details: { subscription: "sub_acme" } } }
            : { id: "sub_acme" }),
          ...object,
        },
        ...extra,
      },
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  planNames = (await loadCatalogWords(database.db)).planNames;
  const orgs = await database.db
    .insert(organisations)
    .values([{ name: "Acme" }, { name: "Other Co" }])
    .returning({ id: organisations.id });
  ids.account = orgs[0]!.id;
  ids.other = orgs[1]!.id;
  const people = await database.db
    .insert(users)
    .values([
      {
        email: "sam@staff.test",
        name: "Sam Staff",
        passwordHash: "x",
        emailVerifiedAt: new Date(),
        staffRole: "staff",
      },
      { email: "cy@acme.test", name: "Cy Customer", passwordHash: "x", emailVerifiedAt: new Date() },
    ])
    .returning({ id: users.id });
  ids.staff = people[0]!.id;
  ids.customer = people[1]!.id;
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId: ids.account, productSlug: "northwind-projects", planSlug: "team", snapshot, createdAt: at(0) })
    .returning({ id: serviceInstances.id });
  ids.instance = instance!.id;
  const [trial] = await database.db
    .insert(trials)
    .values({
      accountId: ids.account,
      productSlug: "northwind-projects",
      planSlug: "team",
      instanceId: ids.instance,
      startedAt: at(1),
      endsAt: at(60 * 24 * 14),
      lengthDays: 14,
      reminderSentAt: at(9),
    })
    .returning({ id: trials.id });
  ids.trial = trial!.id;
  const audit = (
    minute: number,
    action: string,
    actor: { type: "user" | "staff" | "system"; id: string | null },
    details = {},
    organisationId = ids.account,
  ) => ({
    occurredAt: at(minute),
    actorType: actor.type,
    actorId: actor.id,
    action,
    subjectType: "x",
    subjectId: "x",
    organisationId,
    details,
  });
  const customer = { type: "user", id: ids.customer } as const;
  const staff = { type: "staff", id: ids.staff } as const;
  const system = { type: "system", id: null } as const;
  await database.db
    .insert(auditEvents)
    .values([
      audit(1, "trial.started", customer, { plan: "team", lengthDays: 14 }),
      audit(5, "usage_key.rotated", staff),
      audit(10, "trial.extended", staff, { days: 7, reason: "Waiting for their IT team" }),
      audit(11, "order.checkout_opened", customer, { plan: "team", interval: "year", seats: 5 }),
      audit(12, "order.paid", system, { planSlug: "team", seats: 5, trial: ids.trial, provisioningRequest: "r" }),
      audit(13, "provisioning_request.claimed", staff),
      audit(20, "subscription.upgraded", customer, { planSlug: "business", interval: "year", seats: 8 }),
      audit(21, "user.password_changed", customer),
      audit(4, "order.paid", system, { planSlug: "team", seats: 1 }, ids.other),
    ]);
  const [request] = await database.db
    .insert(provisioningRequests)
    .values({
      accountId: ids.account,
      instanceId: ids.instance,
      operation: "provision",
      status: "succeeded",
      provisioner: "manual",
      snapshot,
      maxAttempts: 1,
      slaDueAt: at(600),
      idempotencyKey: `trial:${ids.trial}`,
      createdAt: at(2),
    })
    .returning({ id: provisioningRequests.id });
  ids.request = request!.id;
  await database.db.insert(provisioningEvents).values([
    {
      requestId: ids.request,
      occurredAt: at(2),
      actorType: "customer",
      actorId: ids.customer,
      toStatus: "queued",
      message: "provision requested",
    },
    {
      requestId: ids.request,
      occurredAt: at(3),
      actorType: "system",
      fromStatus: "queued",
      toStatus: "waiting_staff",
      message: "manual",
    },
    {
      requestId: ids.request,
      occurredAt: at(6),
      actorType: "staff",
      actorId: ids.staff,
      fromStatus: "waiting_staff",
      toStatus: "waiting_staff",
      message: "claimed by Sam Staff",
    },
    {
      requestId: ids.request,
      occurredAt: at(7),
      actorType: "staff",
      actorId: ids.staff,
      fromStatus: "waiting_staff",
      toStatus: "succeeded",
      message: "done",
    },
  ]);
  await database.db
    .insert(subscriptions)
    .values({ id: "sub_acme", accountId: ids.account, status: "active", planSlug: "team", quantity: 5 });
  await database.db.insert(billingCustomers).values([
    { accountId: ids.account, stripeCustomerId: "cus_acme" },
    { accountId: ids.other, stripeCustomerId: "cus_other" },
  ]);
  await invoiceEvent("evt_paid", "invoice.paid", "cus_acme", 30, { amount_paid: 120000 });
  await invoiceEvent("evt_zero", "invoice.paid", "cus_acme", 31, { amount_paid: 0 });
  await invoiceEvent("evt_failed", "invoice.payment_failed", "cus_acme", 32, {
    amount_due: 4500,
    amount_remaining: 4500,
  });
  await invoiceEvent(
    "evt_cancel",
    "customer.subscription.updated",
    "cus_acme",
    33,
    { cancel_at_period_end: true },
    { previous_attributes: { cancel_at_period_end: false } },
  );
  await invoiceEvent(
    "evt_renewal_update",
    "customer.subscription.updated",
    "cus_acme",
    34,
    {},
    { previous_attributes: { items: {} } },
  );
  await invoiceEvent("evt_others", "invoice.paid", "cus_other", 35, { amount_paid: 999 });
  await database.db.insert(stripeEvents).values({
    id: "evt_unprocessed",
    type: "invoice.paid",
    receivedAt: at(36),
    payload: { data: { object: { customer: "cus_acme", amount_paid: 5, currency: "usd" } } },
  });
  await database.db.insert(activationMilestones).values([
    { instanceId: ids.instance, accountId: ids.account, milestoneKey: "first_project", reachedAt: at(8) },
    { instanceId: ids.instance, accountId: ids.account, milestoneKey: "two_teammates", reachedAt: at(60 * 24 * 2 + 8) },
  ]);
});

afterAll(async () => {
  await dropTestDatabase(database);
});

describe("account timeline", () => {
  it("shows every source in words, newest first, and nothing of other accounts", async () => {
    const { items, nextCursor } = await page();
    expect(nextCursor).toBeNull();
    const lines = items.map((item) => `${item.kinds[0]} | ${item.sentence} | ${item.who}`);
    expect(lines).toEqual([
      "usage | Milestone reached: Invite 2 teammates (2 days after the service started). | the customer",
      "billing | The subscription for Team was cancelled at the end of its billing period. | Stripe",
      "billing | Payment of $45 failed for Team; Stripe retries it. | Stripe",
      "billing | Payment of $1,200 received for Team. | Stripe",
      `billing | Plan changed at once to ${planNames.business}, 8 users, billed per year. | the customer`,
      "billing | Order paid: Team, 5 users; setup requested. The trial became a subscription. | the system",
      "billing | Order placed: Team, 5 users, billed per year; waiting for payment. | the customer",
      "trial | Trial extended by 7 days: “Waiting for their IT team”. | Sam Staff",
      "trial | Reminder emailed: 3 days left in the Team trial. | the system",
      "usage | Milestone reached: Create your first project (on the first day). | the customer",
      "provisioning | Setup of Team, 5 users: waiting for staff → ready. | Sam Staff",
      "provisioning | Setup of Team, 5 users: claimed by Sam Staff. | Sam Staff",
      "usage | Usage reporting key rotated. | Sam Staff",
      "provisioning | Setup of Team, 5 users: queued → waiting for staff. | the system",
      "provisioning | Setup of Team, 5 users: queued. | the customer",
      "trial | Trial of Team started (14 days). | the customer",
    ]);
    for (const item of items) expect(item.sentence).not.toMatch(UUID_OR_KEY);
    const times = items.map((item) => item.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(items.find((item) => item.kinds[0] === "provisioning")?.link).toEqual({
      href: `/staff/provisioning/${ids.request}`,
      text: "Open the request",
    });
  });

  it("filters by kind: an item shows when any of its kinds is chosen", async () => {
    const sentences = async (kinds: TimelineKind[]) => (await page(kinds)).items.map((item) => item.sentence);
    expect(await sentences(["trial"])).toEqual([
      "Order paid: Team, 5 users; setup requested. The trial became a subscription.",
      "Trial extended by 7 days: “Waiting for their IT team”.",
      "Reminder emailed: 3 days left in the Team trial.",
      "Trial of Team started (14 days).",
    ]);
    expect(await sentences(["staff"])).toEqual([
      "Trial extended by 7 days: “Waiting for their IT team”.",
      "Setup of Team, 5 users: waiting for staff → ready.",
      "Setup of Team, 5 users: claimed by Sam Staff.",
      "Usage reporting key rotated.",
    ]);
    const usage = await page(["usage"]);
    expect(usage.items.map((item) => item.kinds[0])).toEqual(["usage", "usage", "usage"]);
    const billing = await page(["billing"]);
    expect(billing.items).toHaveLength(6);
    expect(billing.items.every((item) => item.kinds.includes("billing"))).toBe(true);
  });

  it("pages through equal timestamps across sources: every item once, no gaps", async () => {
    const same = at(45);
    await database.db.insert(auditEvents).values(
      Array.from({ length: 7 }, () => ({
        occurredAt: same,
        actorType: "staff" as const,
        actorId: ids.staff,
        action: "usage_key.issued",
        subjectType: "x",
        subjectId: "x",
        organisationId: ids.account,
      })),
    );
    await database.db.insert(provisioningEvents).values(
      Array.from({ length: 5 }, () => ({
        requestId: ids.request,
        occurredAt: same,
        actorType: "system" as const,
        fromStatus: "succeeded" as const,
        toStatus: "succeeded" as const,
        message: "checked",
      })),
    );
    await database.db.insert(activationMilestones).values(
      ["integration", "three_days_first_week", "five_teammates"].map((milestoneKey) => ({
        instanceId: ids.instance,
        accountId: ids.account,
        milestoneKey,
        reachedAt: same,
      })),
    );
    const whole = (await page()).items.map((item) => item.id);
    expect(whole).toHaveLength(31);
    for (const size of [1, 3, 7]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const next: { items: TimelineItem[]; nextCursor: string | null } = await page(TIMELINE_KINDS, cursor, size);
        seen.push(...next.items.map((item) => item.id));
        cursor = next.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      expect(seen).toEqual(whole);
    }
    // A cursor not made here starts from the first page rather than failing.
    expect((await page(TIMELINE_KINDS, "bm90IGEgY3Vyc29y", 2)).items.map((item) => item.id)).toEqual(whole.slice(0, 2));
  });

  it("is shown to staff only, with the filter from the query string", async () => {
    const path = `/staff/accounts/${ids.account}`;
    const customer = await signedIn(context, ids.customer, ids.account);
    const staff = await signedIn(context, ids.staff, null);
    for (const cookie of ["", customer]) {
      const answer = await callRoute(
        staffAccount.loader as never,
        new Request(`${ROUTE_APP_URL}${path}`, { headers: { cookie } }),
        context,
        { accountId: ids.account },
      );
      expect(answer.status).toBe(404);
    }
    const answer = await callRoute(
      staffAccount.loader as never,
      new Request(`${ROUTE_APP_URL}${path}?kind=usage&kind=nonsense`, { headers: { cookie: staff } }),
      context,
      { accountId: ids.account },
    );
    expect(answer.status).toBe(200);
    const body = answer.body as { timeline: { kinds: string[]; items: TimelineItem[]; olderHref: string | null } };
    expect(body.timeline.kinds).toEqual(["usage"]);
    expect(body.timeline.items.length).toBeGreaterThan(0);
    expect(body.timeline.items.every((item) => item.kinds.includes("usage"))).toBe(true);
  });

  it("reads each source by its index at ~10k rows, one query per source", async () => {
    // Other accounts' history: ~10k rows in every source the timeline reads.
    await database.sql.unsafe(`
      insert into organisations (name) select 'Filler ' || n from generate_series(1, 2000) n;
      insert into audit_events (occurred_at, actor_type, action, subject_type, subject_id, organisation_id)
        select now() - n * interval '1 minute', 'system', 'order.paid', 'order', n::text, o.id
        from generate_series(1, 5) n cross join (select id from organisations where name like 'Filler %') o;
      insert into service_instances (account_id, product_slug, plan_slug, snapshot)
        select id, 'northwind-projects', 'team', '${JSON.stringify(snapshot)}'::jsonb from organisations where name like 'Filler %';
      insert into provisioning_requests (account_id, instance_id, operation, status, provisioner, snapshot, max_attempts, sla_due_at, idempotency_key)
        select i.account_id, i.id, 'modify', 'succeeded', 'demo', i.snapshot, 1, now(), 'filler:' || i.id
        from service_instances i where i.id <> '${ids.instance}';
      insert into provisioning_events (request_id, occurred_at, actor_type, to_status, message)
        select r.id, now() - n * interval '1 minute', 'system', 'succeeded', 'done'
        from provisioning_requests r cross join generate_series(1, 5) n where r.idempotency_key like 'filler:%';
      insert into billing_customers (account_id, stripe_customer_id)
        select id, 'cus_' || replace(id::text, '-', '') from organisations where name like 'Filler %';
      insert into stripe_events (id, type, received_at, processed_at, payload)
        select 'evt_f' || n || '_' || replace(b.account_id::text, '-', ''), 'invoice.paid', now(), now(),
          jsonb_build_object('data', jsonb_build_object('object', jsonb_build_object('customer', b.stripe_customer_id, 'amount_paid', 100, 'currency', 'usd')))
        from billing_customers b cross join generate_series(1, 5) n where b.account_id not in ('${ids.account}', '${ids.other}');
      insert into activation_milestones (instance_id, account_id, milestone_key, reached_at)
        select i.id, i.account_id, 'm' || n, now() from service_instances i cross join generate_series(1, 5) n where i.id <> '${ids.instance}';
      insert into trials (account_id, product_slug, plan_slug, instance_id, ends_at, length_days, reminder_sent_at, status)
        select i.account_id, 'product-' || n, 'team', i.id, now(), 14, now(), 'expired'
        from service_instances i cross join generate_series(1, 5) n where i.id <> '${ids.instance}';
      insert into subscriptions (id, account_id, status, plan_slug, quantity)
        select 'sub_' || replace(id::text, '-', ''), id, 'active', 'team', 1 from organisations where name like 'Filler %';
      analyze;
    `);
    const plans: string[] = [];
    const explaining = {
      execute: async (query: SQL) => {
        const compiled = (
          database.db as unknown as { dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } } }
        ).dialect.sqlToQuery(query);
        const lines = await database.sql.unsafe(`explain ${compiled.sql}`, compiled.params as never[]);
        plans.push(lines.map((line) => String(Object.values(line)[0])).join("\n"));
        return database.db.execute(query);
      },
    } as unknown as DbOrTx;
    const first = await accountTimeline(explaining, ids.account, { kinds: TIMELINE_KINDS, planNames, pageSize: 5 });
    expect(plans).toHaveLength(5);
    for (const plan of plans) {
      expect(plan).not.toMatch(
        /Seq Scan on (audit_events|provisioning_requests|provisioning_events|stripe_events|activation_milestones|trials|billing_customers|subscriptions)\b/,
      );
    }
    expect(plans.join("\n")).toMatch(/audit_events_organisation_idx/);
    expect(plans.join("\n")).toMatch(/stripe_events_customer_idx/);
    // An account's trials by either index: its few trials (trials_account_idx) or its reminders.
    expect(plans.join("\n")).toMatch(/trials_reminder_idx|trials_account_idx/);
    expect(plans.join("\n")).toMatch(/activation_milestones_account_idx/);
    expect(plans.join("\n")).toMatch(/provisioning_events_request_idx/);
    plans.length = 0;
    await accountTimeline(explaining, ids.account, {
      kinds: TIMELINE_KINDS,
      planNames,
      pageSize: 5,
      cursor: first.nextCursor,
    });
    expect(plans).toHaveLength(5);
    for (const plan of plans)
      expect(plan).not.toMatch(
        /Seq Scan on (audit_events|provisioning_events|stripe_events|activation_milestones|trials)\b/,
      );
  });
});
