/**
 * Issue 17 items 2-4: trial→paid conversion by trial-start month (assisted and unassisted), the
 * funnel by month and by first touch with revenue by source, and the plan-backwards page, over a
 * hand-made set of five trials and five leads whose every figure was counted by hand (comments).
 */
import type { AppLoadContext } from "@remix-run/node";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listTrialAccounts,
  loadConversion,
  loadFunnelByMonth,
  loadFunnelBySource,
} from "../../app/modules/metrics/funnel.server";
import { encodeCursor } from "../../db/keyset-cursor";
import { addMonths } from "../../app/modules/metrics/months";
import { measuredAssumptions } from "../../app/modules/metrics/plan.server";
import { funnelMonthTable } from "../../app/modules/metrics/tables";
import { rollUpAccount } from "../../app/modules/metrics/rollup.server";
import * as planRoute from "../../app/routes/staff.metrics.plan";
import {
  activationMilestones,
  leads,
  organisations,
  serviceInstances,
  subscriptionLedger,
  trialOutreach,
  trials,
  users,
} from "../../db/schema";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";

let database: TestDatabase;
const at = (day: string) => new Date(`${day}T12:00:00Z`);
const MONTHS = ["2026-01-01", "2026-02-01"];

type TrialCase = {
  name: string;
  attribution: Record<string, string> | null;
  started: string;
  ends: string | null;
  milestone?: string;
  /** Staff reached out; `true` while the trial ran. */
  outreach?: boolean;
  paid?: { day: string; mrr: number };
};

const TRIALS: TrialCase[] = [
  // Activated, assisted, paid 13 days in.
  {
    name: "T1",
    attribution: { utm_source: "google", utm_campaign: "spring" },
    started: "2026-01-05",
    ends: "2026-01-19",
    milestone: "2026-01-07",
    outreach: true,
    paid: { day: "2026-01-18", mrr: 10_000 },
  },
  // Paid 27 days after the trial ended (inside the 30): converted, 41 days in.
  {
    name: "T2",
    attribution: { referrer: "https://www.example.org/post" },
    started: "2026-01-10",
    ends: "2026-01-24",
    paid: { day: "2026-02-20", mrr: 5_000 },
  },
  // A milestone after the trial ended (not activated); called after it expired (unassisted); never paid.
  {
    name: "T3",
    attribution: null,
    started: "2026-01-20",
    ends: "2026-02-03",
    milestone: "2026-02-10",
    outreach: false,
  },
  // Activated, assisted; paid 37 days after the end: not a conversion.
  {
    name: "T4",
    attribution: null,
    started: "2026-02-02",
    ends: "2026-02-16",
    milestone: "2026-02-05",
    outreach: true,
    paid: { day: "2026-03-25", mrr: 7_000 },
  },
  // Clock never set (14 days from the start count), paid 2 days in, unassisted.
  {
    name: "T5",
    attribution: { utm_source: "google", utm_campaign: "spring" },
    started: "2026-02-10",
    ends: null,
    paid: { day: "2026-02-12", mrr: 3_000 },
  },
];

const LEADS: { day: string; verdict: string; attribution: Record<string, string> | null }[] = [
  { day: "2025-12-30", verdict: "fits", attribution: null },
  { day: "2026-01-03", verdict: "fits", attribution: { utm_source: "google", utm_campaign: "spring" } },
  { day: "2026-01-15", verdict: "not_a_fit", attribution: { referrer: "https://www.example.org/" } },
  { day: "2026-02-01", verdict: "talk_to_us", attribution: null },
  { day: "2026-02-11", verdict: "fits_higher_plan", attribution: { utm_source: "google", utm_campaign: "spring" } },
];

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const [staff] = await db
    .insert(users)
    .values({ email: "cs@funnel.test", name: "CS", passwordHash: "x", staffRole: "staff" })
    .returning({ id: users.id });
  for (const trial of TRIALS) {
    const [org] = await db
      .insert(organisations)
      .values({ name: `Funnel ${trial.name}`, attribution: trial.attribution })
      .returning({ id: organisations.id });
    const accountId = org!.id;
    const snapshot = {
      productSlug: "p",
      planSlug: "team",
      planName: "Team",
      seats: 3,
      limits: {},
      features: [],
      trialEndsAt: null,
    };
    const [instance] = await db
      .insert(serviceInstances)
      .values({ accountId, productSlug: "p", planSlug: "team", snapshot })
      .returning({ id: serviceInstances.id });
    const [row] = await db
      .insert(trials)
      .values({
        accountId,
        productSlug: "p",
        planSlug: "team",
        instanceId: instance!.id,
        status: trial.paid ? "converted" : "expired",
        startedAt: at(trial.started),
        endsAt: trial.ends ? at(trial.ends) : null,
        lengthDays: 14,
      })
      .returning({ id: trials.id });
    if (trial.milestone)
      await db
        .insert(activationMilestones)
        .values({ instanceId: instance!.id, accountId, milestoneKey: "first_project", reachedAt: at(trial.milestone) });
    if (trial.outreach !== undefined)
      await db.insert(trialOutreach).values({
        trialId: row!.id,
        firstContactAt: at(trial.started),
        staffId: staff!.id,
        via: "called",
        beforeOutcome: trial.outreach,
      });
    if (trial.paid) {
      await db.insert(subscriptionLedger).values({
        subscriptionId: `sub_funnel_${trial.name}`,
        accountId,
        change: "created",
        occurredAt: at(trial.paid.day),
        mrrBeforeMinor: 0,
        mrrAfterMinor: trial.paid.mrr,
        currency: "usd",
        reportingBeforeMinor: 0,
        reportingAfterMinor: trial.paid.mrr,
        reportingCurrency: "usd",
        quantity: 3,
        status: "active",
      });
      await db.transaction((tx) => rollUpAccount(tx, accountId, at("2026-03-31")));
    }
  }
  for (const lead of LEADS)
    await db.insert(leads).values({
      createdAt: at(lead.day),
      answers: {},
      verdict: lead.verdict,
      score: 1,
      result: { reasons: [], requirements: [], verdict: lead.verdict },
      attribution: lead.attribution,
    });
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("trial conversion, the funnel and revenue by source", () => {
  it("converts by trial-start month, assisted and unassisted apart, with the median days to pay", async () => {
    expect(await loadConversion(database.db, MONTHS)).toEqual([
      // T1 (assisted, 13 days), T2 (41 days), T3 (called after it expired).
      {
        month: "2026-01-01",
        trials: 3,
        converted: 2,
        assisted: 1,
        assistedConverted: 1,
        unassisted: 2,
        unassistedConverted: 1,
        medianDaysToConvert: 27,
      },
      // T4 (assisted, paid too late), T5 (2 days).
      {
        month: "2026-02-01",
        trials: 2,
        converted: 1,
        assisted: 1,
        assistedConverted: 0,
        unassisted: 1,
        unassistedConverted: 1,
        medianDaysToConvert: 2,
      },
    ]);
  });

  it("links the month's leads and trials to the lists behind them", async () => {
    const [january] = funnelMonthTable(await loadFunnelByMonth(database.db, MONTHS)).rows;
    expect(january!.slice(1, 6).map((cell) => cell.href)).toEqual([
      "/staff/leads?from=2026-01-01&to=2026-01-31",
      undefined,
      "/staff/metrics/trials?month=2026-01&outcome=all",
      "/staff/metrics/trials?month=2026-01&outcome=activated",
      "/staff/metrics/trials?month=2026-01&outcome=converted",
    ]);
  });

  it("counts each stage by month: leads when they came, trials when they started", async () => {
    expect(await loadFunnelByMonth(database.db, MONTHS)).toEqual([
      { month: "2026-01-01", leads: 2, qualified: 1, trials: 3, activated: 1, paid: 2 },
      { month: "2026-02-01", leads: 2, qualified: 2, trials: 2, activated: 1, paid: 1 },
    ]);
  });

  it("counts each stage by first touch, with the MRR its accounts pay at the end", async () => {
    expect(await loadFunnelBySource(database.db, MONTHS)).toEqual([
      {
        source: "google",
        campaign: "spring",
        leads: 2,
        qualified: 2,
        trials: 2,
        activated: 1,
        paid: 2,
        mrr: 13_000,
        customers: 2,
      },
      {
        source: "example.org (referring site)",
        campaign: null,
        leads: 1,
        qualified: 0,
        trials: 1,
        activated: 0,
        paid: 1,
        mrr: 5_000,
        customers: 1,
      },
      {
        source: "Direct",
        campaign: null,
        leads: 1,
        qualified: 1,
        trials: 2,
        activated: 1,
        paid: 0,
        mrr: 0,
        customers: 0,
      },
    ]);
  });
});

describe("the trials behind a figure", () => {
  it("lists a month's trials by outcome in the order they started, a page after a cursor", async () => {
    const names = async (outcome: Parameters<typeof listTrialAccounts>[1]["outcome"], cursor: string | null = null) =>
      (await listTrialAccounts(database.db, { month: "2026-01-01", outcome }, cursor)).trials.map((t) => t.name);
    expect(await names("all")).toEqual(["Funnel T1", "Funnel T2", "Funnel T3"]);
    expect(await names("converted")).toEqual(["Funnel T1", "Funnel T2"]);
    expect(await names("assisted")).toEqual(["Funnel T1"]);
    expect(await names("unassisted")).toEqual(["Funnel T2", "Funnel T3"]);
    expect(await names("activated")).toEqual(["Funnel T1"]);
    const [first] = (await listTrialAccounts(database.db, { month: "2026-01-01", outcome: "all" }, null)).trials;
    expect(await names("all", encodeCursor([first!.startedAt, first!.trialId]))).toEqual(["Funnel T2", "Funnel T3"]);
  });
});

describe("planning backwards", () => {
  it("measures the assumptions from the same figures", async () => {
    const measured = await measuredAssumptions(database.db, at("2026-03-15"));
    expect(measured).toEqual({
      // March so far: T1, T2, T5 and T4 ($100 + $50 + $30 + $70) from 4 customers.
      assumptions: { arpa: 6_250, monthlyChurn: 0, trialConversion: 2 / 3, leadToTrial: 1 },
      customers: 4,
      mrr: 25_000,
      // December to February: 3 accounts won, 5 trials, 5 leads.
      runRate: { newCustomers: 1, trials: 5 / 3, leads: 5 / 3 },
      defaulted: [],
    });
  });

  it("works back from a goal on the page, and answers fields that do not parse with a 400 and a sentence each", async () => {
    const context: AppLoadContext = routeContext(database, {} as Stripe);
    const [admin] = await database.db
      .insert(users)
      .values({
        email: "admin@funnel.test",
        name: "Admin",
        passwordHash: "x",
        emailVerifiedAt: new Date(),
        staffRole: "admin",
      })
      .returning({ id: users.id });
    const cookie = await signedIn(context, admin!.id, null);
    const get = (query: string) =>
      callRoute(
        planRoute.loader,
        new Request(`${ROUTE_APP_URL}/staff/metrics/plan?${query}`, { headers: { cookie } }),
        context,
      );
    const inSix = addMonths(`${new Date().toISOString().slice(0, 7)}-01`, 6).slice(0, 7);

    const blank = await get("");
    expect(blank.status).toBe(200);
    expect((blank.body as { plan: unknown }).plan).toBeNull();

    // $1,000 at $100: 10 customers; none paying this month (the set ends in March), so 2 a month for 6
    // months; 10 trials at 20%; 20 leads at 50%.
    const planned = await get(`goal=1000&by=${inSix}&arpa=100&conversion=20&leadToTrial=50&churn=0`);
    expect(planned.status).toBe(200);
    const plan = (planned.body as { plan: { customersAtGoal: string; rows: { label: string; needed: string }[] } })
      .plan;
    expect(plan.customersAtGoal).toBe("10");
    expect(plan.rows.map((row) => [row.label, row.needed])).toEqual([
      ["New customers a month", "2"],
      ["Trials a month", "10"],
      ["Leads a month", "20"],
    ]);

    const bad = await get("goal=lots&by=2020-01&arpa=100&conversion=0&leadToTrial=50&churn=100");
    expect(bad.status).toBe(400);
    const errors = (bad.body as { errors: Record<string, string[]> }).errors;
    expect(Object.keys(errors).sort()).toEqual(["by", "churn", "conversion", "goal"]);
    expect(errors.goal![0]).toBe("Enter the MRR goal as a number, like $12,500.");
    expect(errors.churn![0]).toBe("The monthly churn must be from 0% to 99%.");

    // Numbers as people type them are read; a number out of range says the range, not "a number".
    const typed = await get(`goal=$1,000&by=${inSix}&arpa=$100.00&conversion=20%25&leadToTrial=50 %25&churn=0`);
    expect(typed.status).toBe(200);
    expect((typed.body as { plan: { customersAtGoal: string } }).plan.customersAtGoal).toBe("10");
    const outside = await get(`goal=-5&by=${inSix}&arpa=0.001&conversion=1e3&leadToTrial=1,00&churn=50`);
    expect((outside.body as { errors: Record<string, string[]> }).errors).toEqual({
      goal: ["The MRR goal must be from $1 to $1,000,000,000."],
      arpa: ["The average MRR per customer must be from $0.01 to $10,000,000."],
      conversion: ["Enter the trial conversion as a number, like 12.5%."],
      leadToTrial: ["Enter the trials per lead as a number, like 12.5%."],
    });
  });
});
