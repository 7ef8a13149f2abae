import type { AppLoadContext, ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountSuccess,
  auditEvents,
  csTasks,
  healthOverrides,
  healthSnapshots,
  leads,
  organisations,
  staffNotes,
  users,
  type HealthMeasure,
} from "../../db/schema";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import * as staffAccount from "../../app/routes/staff.accounts.$accountId";
import { dayAfter } from "../../app/modules/success/override-form.server";
import { listStaffNotes, NOTE_MAX_LENGTH } from "../../app/modules/success/notes.server";

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;

let database: TestDatabase;
let context: AppLoadContext;
const ids = {} as Record<"account" | "staff" | "colleague" | "customer", string>;
let cookie: string;

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  const [organisation] = await database.db
    .insert(organisations)
    .values({ name: "Northwind", attribution: { utm_source: "newsletter", utm_campaign: "spring", landing_path: "/" } })
    .returning({ id: organisations.id });
  ids.account = organisation!.id;
  for (const [key, staffRole] of [
    ["staff", "staff"],
    ["colleague", "admin"],
    ["customer", null],
  ] as const) {
    const [user] = await database.db
      .insert(users)
      .values({
        email: `${key}@northwind.test`,
        name: `The ${key}`,
        passwordHash: "x",
        emailVerifiedAt: new Date(),
        staffRole,
      })
      .returning({ id: users.id });
    ids[key] = user!.id;
  }
  cookie = await signedIn(context, ids.staff, null);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const post = (fields: Record<string, string>) =>
  callRoute(staffAccount.action as Handler, formPost(`/staff/accounts/${ids.account}`, cookie, fields), context, {
    accountId: ids.account,
  });
const audits = (action: string) =>
  database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.organisationId, ids.account)));

describe("staff notes", () => {
  it("adds a plain-text note once, audited, and refuses empty or over-long ones with a sentence", async () => {
    const body = "Called Ana: <b>renewal</b> **looks** fine.\nFollow up in May.";
    expect(await post({ intent: "note", body })).toMatchObject({ status: 200, body: { message: "Note added." } });
    // A double click or a second tab sends the same note again: still one note, one audit row.
    expect(await post({ intent: "note", body: `  ${body}  ` })).toMatchObject({
      status: 200,
      body: { message: "This note was already added." },
    });
    const stored = await database.db.select().from(staffNotes).where(eq(staffNotes.accountId, ids.account));
    expect(stored.map((note) => [note.body, note.authorId])).toEqual([[body, ids.staff]]);
    const audited = await audits("account.note_added");
    expect(audited.map((event) => [event.actorId, event.subjectId])).toEqual([[ids.staff, stored[0]!.id]]);

    expect(await post({ intent: "note", body: "   " })).toMatchObject({
      status: 400,
      body: { message: "Write the note" },
    });
    const long = await post({ intent: "note", body: "x".repeat(NOTE_MAX_LENGTH + 1) });
    expect(long).toMatchObject({ status: 400, body: { message: "Use at most 4,000 characters" } });
    expect((long.body as { draft: string }).draft).toHaveLength(NOTE_MAX_LENGTH + 1);
  });

  it("lists notes newest first, a page at a time", async () => {
    const base = Date.parse("2026-01-01T00:00:00Z");
    await database.db.insert(staffNotes).values(
      Array.from({ length: 5 }, (_, index) => ({
        accountId: ids.account,
        authorId: ids.colleague,
        body: `old note ${index}`,
        createdAt: new Date(base + index * 60_000),
      })),
    );
    const first = await listStaffNotes(database.db, ids.account, null, 3);
    expect(first.notes.map((note) => note.body)).toEqual([
      expect.stringMatching(/^Called Ana/),
      "old note 4",
      "old note 3",
    ]);
    expect(first.notes[1]!.authorName).toBe("The colleague");
    const second = await listStaffNotes(database.db, ids.account, first.nextCursor, 3);
    expect(second.notes.map((note) => note.body)).toEqual(["old note 2", "old note 1", "old note 0"]);
    expect(second.nextCursor).toBeNull();
  });
});

describe("assignment", () => {
  const assigned = async () =>
    (
      await database.db
        .select({ id: accountSuccess.assignedStaffId })
        .from(accountSuccess)
        .where(eq(accountSuccess.accountId, ids.account))
    )[0]!.id;

  it("assigns to me, to someone on staff or to the team's queue, audited once per change", async () => {
    expect(await post({ intent: "assign", assignee: "me" })).toMatchObject({
      status: 200,
      body: { message: "This account is now looked after by you." },
    });
    expect(await assigned()).toBe(ids.staff);
    expect(await post({ intent: "assign", assignee: "me" })).toMatchObject({
      body: { message: "This account was already with you." },
    });
    expect(await post({ intent: "assign", assignee: ids.colleague })).toMatchObject({
      body: { message: "This account is now looked after by The colleague." },
    });
    expect(await assigned()).toBe(ids.colleague);
    expect(await post({ intent: "assign", assignee: "queue" })).toMatchObject({
      body: { message: "This account is now looked after by the team's queue." },
    });
    expect(await assigned()).toBeNull();
    const audited = await audits("account.assigned");
    expect(audited.map((event) => event.details)).toEqual([
      { from: null, to: ids.staff },
      { from: ids.staff, to: ids.colleague },
      { from: ids.colleague, to: null },
    ]);
  });

  it("refuses someone who is not on staff, and anything that is not a choice, with a sentence", async () => {
    expect(await post({ intent: "assign", assignee: ids.customer })).toMatchObject({
      status: 400,
      body: { message: "Choose someone on staff to look after this account." },
    });
    expect(await post({ intent: "assign", assignee: "everyone" })).toMatchObject({
      status: 400,
      body: { message: "Choose who looks after this account" },
    });
    expect(await assigned()).toBeNull();
  });
});

describe("health override", () => {
  const today = new Date();
  const form = (fields: Record<string, string>) =>
    post({
      intent: "override",
      band: "green",
      reason: "Champion confirmed renewal",
      expiresOn: dayAfter(today, 30),
      ...fields,
    });

  it("requires a band of three, a reason and an end day after today and at most 180 days ahead", async () => {
    const refusals: [Record<string, string>, string][] = [
      [{ band: "purple" }, "Choose the health you judge: good, fair or poor"],
      [{ reason: "" }, "Say why the health should read differently"],
      [{ reason: "ok" }, "Say why the health should read differently"],
      [{ expiresOn: today.toISOString().slice(0, 10) }, "Choose a day after today for the override to end"],
      [{ expiresOn: dayAfter(today, 181) }, "An override lasts at most 180 days: choose an earlier day"],
      [{ expiresOn: "someday" }, "Choose the day the override ends"],
    ];
    for (const [fields, message] of refusals)
      expect(await form(fields), JSON.stringify(fields)).toMatchObject({ status: 400, body: { message } });
    expect(await database.db.select().from(healthOverrides)).toEqual([]);
  });

  it("sets, repeats harmlessly, replaces and clears a judgement, every change audited", async () => {
    expect(await form({ expiresOn: dayAfter(today, 180) })).toMatchObject({
      status: 200,
      body: { message: "Health override saved; the score follows within a minute." },
    });
    expect(await form({ expiresOn: dayAfter(today, 180) })).toMatchObject({
      body: { message: "The health override is already in place." },
    });
    const [first] = await database.db.select().from(healthOverrides);
    expect(first).toMatchObject({
      band: "green",
      reason: "Champion confirmed renewal",
      createdBy: ids.staff,
      clearedAt: null,
    });
    // It lasts to the end of the chosen day (UTC).
    expect(first!.expiresAt.toISOString()).toBe(`${dayAfter(today, 181)}T00:00:00.000Z`);

    expect(await form({ band: "red", reason: "Champion left the company" })).toMatchObject({ status: 200 });
    const rows = await database.db.select().from(healthOverrides).orderBy(healthOverrides.createdAt);
    expect(rows.map((row) => [row.band, row.clearedAt !== null])).toEqual([
      ["green", true],
      ["red", false],
    ]);
    expect(await post({ intent: "clear-override", overrideId: rows[1]!.id })).toMatchObject({
      body: { message: "Health override cleared; the computed score applies again." },
    });
    expect(await post({ intent: "clear-override", overrideId: rows[1]!.id })).toMatchObject({
      status: 200,
      body: { message: "That override had already ended." },
    });
    expect((await audits("health.override_set")).map((event) => event.subjectId)).toEqual([rows[0]!.id, rows[1]!.id]);
    expect((await audits("health.override_cleared")).map((event) => event.subjectId)).toEqual([
      rows[0]!.id,
      rows[1]!.id,
    ]);
  });
});

describe("the account page's loader", () => {
  it("reads the standing, why the health is what it is, the trend, tasks, the lead and where it came from", async () => {
    const measures: HealthMeasure[] = [
      { key: "payment", score: 100, weight: 15, effectiveWeight: 20, explanation: "Payments are up to date." },
      {
        key: "active_users",
        score: 20,
        weight: 30,
        effectiveWeight: 40,
        explanation: "1 of 5 users bought were active in the last 28 days.",
      },
      { key: "contact", score: null, weight: 10, effectiveWeight: 0, explanation: "No contact requests to judge by." },
      { key: "frequency", score: 50, weight: 30, effectiveWeight: 40, explanation: "Active on 2 days a week." },
    ];
    await database.db
      .update(accountSuccess)
      .set({
        stage: "onboarding",
        stageDay: 12,
        healthScore: 45,
        healthBand: "red",
        healthChange7d: -18,
        healthChange30d: 3,
        mrrMinor: 12_000,
        currency: "usd",
        planSlugs: ["team"],
        assignedStaffId: ids.colleague,
      })
      .where(eq(accountSuccess.accountId, ids.account));
    const now = Date.now();
    await database.db.insert(healthSnapshots).values(
      [40, 20, 0].map((daysAgo, index) => ({
        accountId: ids.account,
        day: new Date(now - daysAgo * 86_400_000).toISOString().slice(0, 10),
        score: [80, 63, 45][index]!,
        band: "red" as const,
        profile: "onboarding" as const,
        computedScore: [80, 63, 45][index]!,
        measures,
        weightsVersion: 1,
      })),
    );
    await database.db.insert(csTasks).values([
      {
        accountId: ids.account,
        title: "Day 30 check-in",
        reason: "The service reached day 30.",
        link: "/x",
        dueAt: new Date(now + 86_400_000),
        assigneeId: ids.colleague,
      },
      {
        accountId: ids.account,
        title: "Welcome call",
        reason: "A trial started.",
        link: "/x",
        dueAt: new Date(now - 86_400_000),
        status: "done",
        outcome: "no_answer",
        completedAt: new Date(),
      },
    ]);
    await database.db.insert(leads).values({
      answers: { companySize: "11-50", budget: "100_500" },
      verdict: "fits_higher_plan",
      score: 72,
      result: {},
      attribution: { utm_source: "linkedin", utm_campaign: "q4", referrer: "https://example.org/", landing_path: "/x" },
      organisationId: ids.account,
    });

    const answer = await callRoute(
      staffAccount.loader as Handler,
      new Request(`${ROUTE_APP_URL}/staff/accounts/${ids.account}`, { headers: { cookie } }),
      context,
      { accountId: ids.account },
    );
    expect(answer.status).toBe(200);
    const page = answer.body as Awaited<ReturnType<typeof staffAccount.loader>>;
    expect(page.standing).toMatchObject({
      stage: "Onboarding, day 12 of 90",
      score: 45,
      bandLabel: "Poor",
      change7d: { text: "Down 18 points", direction: "down" },
      change30d: { text: "Up 3 points", direction: "up" },
      mrr: { amount: 12_000, currency: "usd" },
      planNames: ["Team"],
      assignedName: "The colleague",
    });
    expect(page.health.measures.map((measure) => [measure.label, measure.score])).toEqual([
      ["Active users", 20],
      ["How often", 50],
      ["Payment", 100],
      ["Contact requests", null],
    ]);
    expect(page.health.measures[0]!.explanation).toBe("1 of 5 users bought were active in the last 28 days.");
    // Thirty days of trend: the snapshot from 40 days ago is left out.
    expect(page.health.trend.map((point) => point.y)).toEqual([63, 45]);
    expect(page.tasks.open.map((task) => [task.title, task.assigneeName])).toEqual([
      ["Day 30 check-in", "The colleague"],
    ]);
    expect(page.tasks.done.map((task) => [task.title, task.outcomeLabel])).toEqual([["Welcome call", "No answer"]]);
    expect(page.lead).toMatchObject({ verdict: "Fits a higher plan", score: 72 });
    expect(page.lead!.answers).toEqual([
      { question: "Company size", answer: "11–50 people" },
      { question: "Monthly budget", answer: expect.stringContaining("100") },
    ]);
    // jsonb keeps its own key order; the rows are the campaign fields and the referrer only.
    expect(page.attribution).toEqual(
      expect.arrayContaining([
        { label: "Campaign source", value: "linkedin" },
        { label: "Campaign", value: "q4" },
        { label: "Came from", value: "https://example.org/" },
      ]),
    );
    expect(page.attribution).toHaveLength(3);
    expect(page.staff.map((member) => member.name)).toEqual(["The colleague", "The staff"]);
  });
});
