import type { AppLoadContext } from "@remix-run/node";
import { parse } from "csv-parse/sync";
import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountSuccess,
  auditEvents,
  contactRequests,
  csTasks,
  leads,
  memberships,
  organisations,
  outgoingEmails,
  provisioningRequests,
  serviceInstances,
  staffDigestOptOuts,
  staffDigests,
  subscriptions,
  users,
} from "../../db/schema";
import * as staffHome from "../../app/routes/staff._index";
import * as portfolioExport from "../../app/routes/staff.accounts[.csv]";
import { sendStaffDigests } from "../../app/modules/email/staff-digest.server";
import { myDay } from "../../app/modules/success/my-day.server";
import { listPortfolio, portfolioBatches, type PortfolioFilters } from "../../app/modules/success/portfolio.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-12-10T09:00:00Z");
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

let database: TestDatabase;
let context: AppLoadContext;
const staff = {} as Record<"ann" | "bob" | "cat", string>;
const org = {} as Record<"acme" | "beta" | "gamma" | "delta", string>;
let annCookie: string;

async function staffUser(name: string): Promise<string> {
  const [row] = await database.db
    .insert(users)
    .values({
      email: `${name.toLowerCase()}@staff.test`,
      name,
      passwordHash: "x",
      emailVerifiedAt: new Date(),
      staffRole: "staff",
    })
    .returning({ id: users.id });
  return row!.id;
}

async function organisation(name: string, success: Partial<typeof accountSuccess.$inferInsert>): Promise<string> {
  const [row] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  await database.db.update(accountSuccess).set(success).where(eq(accountSuccess.accountId, row!.id));
  return row!.id;
}

async function task(accountId: string, assigneeId: string | null, dueAt: Date, title: string, status = "open") {
  await database.db.insert(csTasks).values({
    accountId,
    assigneeId,
    dueAt,
    title,
    reason: "Because",
    link: `/staff/accounts/${accountId}`,
    status: status as "open" | "done",
  });
}

async function request(accountId: string, status: "waiting_staff" | "waiting_customer", key: string) {
  const snapshot = {
    productSlug: "p",
    planSlug: "team",
    planName: "Team",
    seats: 1,
    limits: {},
    features: [],
    trialEndsAt: null,
  };
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId, productSlug: "p", planSlug: "team", snapshot })
    .returning({ id: serviceInstances.id });
  await database.db.insert(provisioningRequests).values({
    accountId,
    instanceId: instance!.id,
    operation: "provision",
    status,
    provisioner: "manual",
    snapshot,
    maxAttempts: 1,
    slaDueAt: at(1),
    idempotencyKey: key,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  staff.ann = await staffUser("Ann");
  staff.bob = await staffUser("Bob");
  staff.cat = await staffUser("Cat");
  org.acme = await organisation("Acme Rockets", {
    search: "acme rockets olivia@acme-rockets.example acme-rockets.example",
    stage: "onboarding",
    stageDay: 12,
    healthScore: 42,
    healthBand: "red",
    healthChange7d: -18,
    healthDroppedAt: at(-2),
    planSlugs: ["team"],
    mrrMinor: 120_050,
    currency: "usd",
    assignedStaffId: staff.ann,
    attention: 10,
  });
  org.beta = await organisation("Beta 100% Labs", {
    search: "beta 100% labs ben@betalabs.example betalabs.example",
    stage: "trial",
    stageDay: 5,
    pqlScore: 80,
    trialEndsAt: at(3),
    planSlugs: ["business"],
    attention: 20,
  });
  org.gamma = await organisation("=Gamma", {
    search: "=gamma gina@gamma.example gamma.example",
    stage: "adopted",
    healthScore: 90,
    healthBand: "green",
    healthChange7d: 2,
    healthDroppedAt: at(-10),
    planSlugs: ["team", "business"],
    mrrMinor: 50_000,
    currency: "eur",
    assignedStaffId: staff.bob,
    attention: 30,
  });
  org.delta = await organisation("Delta", { stage: "trial", pqlScore: 40, trialEndsAt: at(20), attention: 30 });

  await task(org.acme, staff.ann, at(-2), "Call about the drop");
  await task(org.beta, staff.ann, at(0.5), "Welcome call");
  await task(org.gamma, staff.ann, at(1), "Tomorrow's check-in");
  await task(org.gamma, staff.ann, at(-3), "Done already", "done");
  await task(org.delta, staff.bob, at(0), "Bob's call");
  await task(org.delta, null, at(-1), "Queue call");

  await request(org.acme, "waiting_staff", "home-1");
  await request(org.beta, "waiting_customer", "home-2");
  await database.db.insert(subscriptions).values({
    id: "sub_failing",
    accountId: org.gamma,
    status: "past_due",
    planSlug: "team",
    quantity: 3,
    paymentFailedAt: at(-4),
  });
  const [lead] = await database.db
    .insert(leads)
    .values({ answers: {}, verdict: "talk_to_us", score: 90, result: {}, organisationId: org.beta })
    .returning({ id: leads.id });
  await database.db.insert(contactRequests).values([
    { leadId: lead!.id, email: "ben@betalabs.example", message: "Call me", createdAt: at(-1) },
    { leadId: lead!.id, email: "old@betalabs.example", message: "Old", createdAt: at(-30) },
  ]);
  annCookie = await signedIn(context, staff.ann, null);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("my day", () => {
  it("counts and lists my tasks due today and overdue, the team's queue, drops, trials, setups, payments and contact requests", async () => {
    const day = await myDay(database.db, staff.ann, NOW);
    expect(day.myTasks.count).toEqual({ count: 2, more: false });
    expect(day.myTasks.items.map((t) => [t.title, t.accountName, t.overdue])).toEqual([
      ["Call about the drop", "Acme Rockets", true],
      ["Welcome call", "Beta 100% Labs", false],
    ]);
    expect(day.queueTasks.count).toEqual({ count: 1, more: false });
    expect(day.queueTasks.items.map((t) => t.title)).toEqual(["Queue call"]);
    expect(day.healthDropped.count.count).toBe(1);
    expect(day.healthDropped.items.map((a) => [a.name, a.score, a.change7d])).toEqual([["Acme Rockets", 42, -18]]);
    expect(day.trialsToCall.items.map((t) => [t.name, t.score])).toEqual([
      ["Beta 100% Labs", 80],
      ["Delta", 40],
    ]);
    expect(day.setupsWaitingStaff.count.count).toBe(1);
    expect(day.setupsWaitingStaff.items.map((r) => [r.name, r.planSlug])).toEqual([["Acme Rockets", "team"]]);
    expect(day.setupsWaitingCustomer.count.count).toBe(1);
    expect(day.failingPayments.items.map((p) => [p.name, p.status])).toEqual([["=Gamma", "past_due"]]);
    expect(day.contactRequests.count.count).toBe(1);
    expect(day.contactRequests.items.map((c) => [c.email, c.organisationName])).toEqual([
      ["ben@betalabs.example", "Beta 100% Labs"],
    ]);
    expect((await myDay(database.db, staff.bob, NOW)).myTasks.items.map((t) => t.title)).toEqual(["Bob's call"]);
  });

  it("caps a count at 100 (shown as 100+) instead of counting every row", async () => {
    await database.db.execute(sql`
      insert into cs_tasks (account_id, title, reason, link, due_at)
      select ${org.delta}, 'Bulk ' || n, 'Because', '/staff', ${at(-1).toISOString()}::timestamptz from generate_series(1, 120) n`);
    const day = await myDay(database.db, staff.cat, NOW);
    expect(day.queueTasks.count).toEqual({ count: 100, more: true });
    expect(day.queueTasks.items).toHaveLength(5);
    await database.db.delete(csTasks).where(sql`${csTasks.title} like 'Bulk %'`);
  });

  it("gives the home page what needs attention, setups waiting for staff and contact requests included", async () => {
    const answer = await callRoute(
      staffHome.loader,
      new Request(`${ROUTE_APP_URL}/staff`, { headers: { cookie: annCookie } }),
      context,
    );
    expect(answer.status).toBe(200);
    const body = answer.body as Awaited<ReturnType<typeof staffHome.loader>>;
    expect(body.day.setupsWaitingStaff.items.map((r) => r.name)).toEqual(["Acme Rockets"]);
    expect(body.day.failingPayments.items.map((p) => p.name)).toEqual(["=Gamma"]);
    expect(body.digest).toBe(true);
  });
});

describe("the daily digest", () => {
  it("goes once a day to staff with tasks due, never to those without or who opted out, with the opt-out link", async () => {
    const optOut = (digest: "on" | "off") =>
      callRoute(staffHome.action, formPost("/staff", annCookie, { intent: "digest", digest }), context);
    // Bob opts out through the same action; Cat has no task due.
    const bobCookie = await signedIn(context, staff.bob, null);
    expect(
      (await callRoute(staffHome.action, formPost("/staff", bobCookie, { intent: "digest", digest: "off" }), context))
        .status,
    ).toBe(200);

    expect(await sendStaffDigests(database.db, ROUTE_APP_URL, NOW)).toBe(1);
    expect(await sendStaffDigests(database.db, ROUTE_APP_URL, new Date(NOW.getTime() + 3_600_000))).toBe(0);
    const mail = await database.db.select().from(outgoingEmails);
    expect(mail.map((m) => m.to)).toEqual(["ann@staff.test"]);
    expect(mail[0]!.subject).toBe("Your day on Northwind Projects: 2 tasks due");
    expect(mail[0]!.text).toContain("Acme Rockets: Call about the drop (overdue since 8 December 2026)");
    expect(mail[0]!.text).toContain("Beta 100% Labs: Welcome call (due today)");
    expect(mail[0]!.text).toContain(`${ROUTE_APP_URL}/staff/tasks?view=mine`);
    expect(mail[0]!.text).toContain(`turn off the daily email on the staff home: ${ROUTE_APP_URL}/staff#digest`);
    expect(await database.db.select().from(staffDigests)).toEqual([
      expect.objectContaining({ userId: staff.ann, day: "2026-12-10" }),
    ]);

    // Ann opts out (twice: one audit event), then nothing the next day; opting in again sends again.
    expect((await optOut("off")).status).toBe(200);
    expect((await optOut("off")).status).toBe(200);
    expect(await sendStaffDigests(database.db, ROUTE_APP_URL, at(1))).toBe(0);
    expect((await optOut("on")).status).toBe(200);
    expect(await sendStaffDigests(database.db, ROUTE_APP_URL, at(1))).toBe(1);
    const audited = await database.db
      .select({ action: auditEvents.action, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectType, "user"), eq(auditEvents.subjectId, staff.ann)));
    expect(audited).toEqual([
      { action: "staff.digest_opted_out", actorId: staff.ann },
      { action: "staff.digest_opted_in", actorId: staff.ann },
    ]);
    expect(await database.db.select().from(staffDigestOptOuts)).toEqual([
      expect.objectContaining({ userId: staff.bob }),
    ]);
    const bad = await callRoute(
      staffHome.action,
      formPost("/staff", annCookie, { intent: "digest", digest: "maybe" }),
      context,
    );
    expect(bad).toMatchObject({ status: 400, body: { error: "Choose whether to get the daily email." } });
  });
});

describe("the portfolio", () => {
  const viewer = { staffId: "", now: NOW };
  const names = async (filters: PortfolioFilters) =>
    (await listPortfolio(database.db, filters, { ...viewer, staffId: staff.ann })).accounts.map((a) => a.name);

  it("searches by name, email and domain, with % and _ matching themselves", async () => {
    expect(await names({ q: "rockets" })).toEqual(["Acme Rockets"]);
    expect(await names({ q: "olivia@acme" })).toEqual(["Acme Rockets"]);
    expect(await names({ q: "betalabs.example" })).toEqual(["Beta 100% Labs"]);
    expect(await names({ q: "100%" })).toEqual(["Beta 100% Labs"]);
    expect(await names({ q: "%" })).toEqual(["Beta 100% Labs"]);
    expect(await names({ q: "_" })).toEqual([]);
  });

  it("filters by stage, health band, plan, assigned staff member, trial ending, health dropped and failing payment", async () => {
    expect(await names({ stage: "trial" })).toEqual(["Beta 100% Labs", "Delta"]);
    expect(await names({ band: "red" })).toEqual(["Acme Rockets"]);
    expect(await names({ plan: "business" })).toEqual(["Beta 100% Labs", "=Gamma"]);
    expect(await names({ assigned: "me" })).toEqual(["Acme Rockets"]);
    expect(await names({ assigned: staff.bob })).toEqual(["=Gamma"]);
    expect(await names({ assigned: "unassigned" })).toEqual(["Beta 100% Labs", "Delta"]);
    expect(await names({ trial: "ending" })).toEqual(["Beta 100% Labs"]);
    expect(await names({ dropped: "recent" })).toEqual(["Acme Rockets"]);
    expect(await names({ payment: "failing" })).toEqual(["=Gamma"]);
    expect(await names({ stage: "trial", plan: "business", trial: "ending" })).toEqual(["Beta 100% Labs"]);
  });

  it("pages by (attention, account id): every account once, most in need of attention first", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPortfolio(database.db, { cursor }, { ...viewer, staffId: staff.ann }, 1);
      seen.push(...page.accounts.map((a) => a.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const gammaFirst = org.gamma < org.delta;
    expect(seen).toEqual([
      "Acme Rockets",
      "Beta 100% Labs",
      ...(gammaFirst ? ["=Gamma", "Delta"] : ["Delta", "=Gamma"]),
    ]);
    const batches: number[] = [];
    for await (const batch of portfolioBatches(database.db, {}, { ...viewer, staffId: staff.ann }, 3))
      batches.push(batch.length);
    expect(batches).toEqual([3, 1]);
    // An edited cursor starts from the first page instead of failing.
    expect(await names({ cursor: "bm90IGEgY3Vyc29y" })).toHaveLength(4);
  });

  it("exports the filtered list as CSV in words, money as decimals with the currency, formulas defused", async () => {
    // Accounts of the same name are told apart by their owner's address.
    const owner = await insertPerson(database.db, "Olivia");
    await database.db.insert(memberships).values({ organisationId: org.acme!, userId: owner.id, role: "owner" });
    const response = (await portfolioExport.loader({
      request: new Request(`${ROUTE_APP_URL}/staff/accounts.csv?plan=team`, { headers: { cookie: annCookie } }),
      context,
      params: {},
    })) as Response;
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="accounts-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = parse(await response.text(), { bom: true }) as string[][];
    expect(rows).toEqual([
      [
        "Account",
        "Owner email",
        "Stage",
        "Health",
        "Health score",
        "Change in 7 days",
        "Plans",
        "MRR",
        "Currency",
        "Assigned to",
        "Trial ends (UTC)",
      ],
      [
        "Acme Rockets",
        owner.email,
        "Onboarding, day 12 of 90",
        "Poor",
        "42",
        "down 18 in 7 days",
        "Team",
        "1200.50",
        "USD",
        "Ann",
        "",
      ],
      ["'=Gamma", "", "Adopted", "Good", "90", "up 2 in 7 days", "Team, Business", "500.00", "EUR", "Bob", ""],
    ]);
  });
});
