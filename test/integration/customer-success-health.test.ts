import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccountFacts } from "../../app/modules/success/facts.server";
import { clearOverride, currentOverride, setOverride } from "../../app/modules/success/overrides.server";
import { scorePql } from "../../app/modules/success/pql";
import { refreshAccounts } from "../../app/modules/success/refresh.server";
import {
  currentWeights,
  listWeightVersions,
  queueHistoryRecompute,
  recomputeHistory,
  saveWeights,
} from "../../app/modules/success/weights.server";
import { DEFAULT_WEIGHTS } from "../../app/modules/success/health";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const iso = (days: number) => ago(days).toISOString();
const dayAgo = (days: number) => ago(days).toISOString().slice(0, 10);

let database: TestDatabase;
const ids = {} as Record<"account" | "instance" | "other" | "staff" | "admin" | "lead", string>;

/** One paying account on Team (annual, 4 users) 40 days after its first payment, with usage, a waiting setup and a lead. */
beforeAll(async () => {
  database = await createTestDatabase();
  const sql = database.sql;
  const [admin] = await sql<{ id: string }[]>`
    insert into users (email, name, password_hash, staff_role) values ('ada@staff.test', 'Ada Admin', 'x', 'admin') returning id`;
  const [staff] = await sql<{ id: string }[]>`
    insert into users (email, name, password_hash, staff_role) values ('sam@staff.test', 'Sam Staff', 'x', 'staff') returning id`;
  ids.admin = admin!.id;
  ids.staff = staff!.id;
  const [account] = await sql<{ id: string }[]>`insert into organisations (name) values ('Fixture Co') returning id`;
  const [other] = await sql<{ id: string }[]>`insert into organisations (name) values ('Quiet Ltd') returning id`;
  ids.account = account!.id;
  ids.other = other!.id;
  for (const email of ["alice@fixture.test", "bob@other.test"]) {
    const [user] = await sql<{ id: string }[]>`
      insert into users (email, name, password_hash) values (${email}, ${email}, 'x') returning id`;
    await sql`insert into memberships (organisation_id, user_id, role) values (${ids.account}, ${user!.id}, 'member')`;
  }
  await sql`update prices set stripe_price_id = 'price_fixture_team_year'
             where lookup_key = 'northwind-projects.team.year.usd'`;
  const snapshot = {
    productSlug: "northwind-projects",
    planSlug: "team",
    planName: "Team",
    seats: 4,
    limits: { projects: 10, storage_gb: null },
    features: [],
    trialEndsAt: null,
  };
  const [instance] = await sql<{ id: string }[]>`
    insert into service_instances (account_id, product_slug, plan_slug, status, snapshot, created_at)
    values (${ids.account}, 'northwind-projects', 'team', 'active', ${JSON.stringify(snapshot)}::jsonb, ${iso(56)}) returning id`;
  ids.instance = instance!.id;
  const request = (
    key: string,
    operation: string,
    status: string,
    createdDaysAgo: number,
    updatedDaysAgo: number,
  ) => sql`
    insert into provisioning_requests (account_id, instance_id, operation, status, provisioner, snapshot, max_attempts,
      sla_due_at, idempotency_key, created_at, updated_at, completed_at)
    values (${ids.account}, ${ids.instance}, ${operation}, ${status}, 'demo', ${JSON.stringify(snapshot)}::jsonb, 3, ${iso(0)}, ${key},
      ${iso(createdDaysAgo)}, ${iso(updatedDaysAgo)}, ${status === "succeeded" ? iso(updatedDaysAgo) : null})`;
  // A setup that failed and was then done (not an open failure), and a change waiting on the customer.
  await request("fx-failed", "provision", "failed", 57, 57);
  await request("fx-done", "provision", "succeeded", 56, 55);
  await request("fx-waiting", "modify", "waiting_customer", 4, 4);
  await sql`insert into trials (account_id, product_slug, plan_slug, instance_id, status, started_at, ends_at, clock_started_at)
            values (${ids.account}, 'northwind-projects', 'team', ${ids.instance}, 'converted', ${iso(56)}, ${iso(42)}, ${iso(56)})`;
  // The MRR as its ledger recorded it (Team per seat at 240.00 a year × 4 users ÷ 12); no billing
  // interval recorded, so the catalog price's is read.
  await sql`insert into subscriptions (id, account_id, status, plan_slug, stripe_price_id, quantity, current_period_end,
              instance_id, mrr_minor, currency)
            values ('sub_fixture', ${ids.account}, 'active', 'team', 'price_fixture_team_year', 4, ${iso(-325)},
              ${ids.instance}, 8000, 'usd')`;
  await sql`insert into orders (account_id, product_slug, plan_slug, interval, seats, currency, total_amount, status, created_at, paid_at)
            values (${ids.account}, 'northwind-projects', 'team', 'year', 4, 'usd', 96000, 'fulfilled', ${iso(41)}, ${iso(40)}),
                   (${ids.account}, 'northwind-projects', 'business', 'month', 1, 'usd', 9900, 'expired', ${iso(3)}, null)`;
  for (const [days, users] of [
    [1, ["u1"]],
    [2, ["u2"]],
    [5, ["u1"]],
    [40, ["u3"]],
  ] as const) {
    await sql`insert into usage_daily (instance_id, account_id, day, active_users, events, seats_in_use)
              values (${ids.instance}, ${ids.account}, ${dayAgo(days)}, ${users.length}, 3, 3)`;
    for (const user of users)
      await sql`insert into usage_daily_users (instance_id, day, user_id) values (${ids.instance}, ${dayAgo(days)}, ${user})`;
  }
  for (const [days, event] of [
    [2, "Project Created"],
    [5, "Teammate Invited"],
    [60, "Integration Connected"],
  ] as const)
    await sql`insert into usage_daily_events (instance_id, account_id, day, event, count, first_at, last_at)
              values (${ids.instance}, ${ids.account}, ${dayAgo(days)}, ${event}, 1, ${iso(days)}, ${iso(days)})`;
  await sql`insert into usage_instance_traits (instance_id, traits, as_of) values (${ids.instance}, ${JSON.stringify({ projects: 9 })}::jsonb, ${iso(1)})`;
  await sql`insert into activation_milestones (instance_id, account_id, milestone_key, reached_at)
            values (${ids.instance}, ${ids.account}, 'first_project', ${iso(50)})`;
  const [lead] = await sql<{ id: string }[]>`
    insert into leads (answers, verdict, score, result, organisation_id, created_at)
    values (${JSON.stringify({ companySize: "11-50" })}::jsonb, 'fits', 7, '{}', ${ids.account}, ${iso(60)}) returning id`;
  ids.lead = lead!.id;
  await sql`insert into contact_requests (lead_id, email, message, created_at)
            values (${ids.lead}, 'alice@fixture.test', 'Help with setup', ${iso(5)}),
                   (${ids.lead}, 'alice@fixture.test', 'Pricing question', ${iso(40)})`;
  await sql`insert into account_signals (account_id, kind, count, first_at, last_at)
            values (${ids.account}, 'pricing_viewed', 2, ${iso(10)}, ${iso(2)})`;
}, 60_000);
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("loadAccountFacts", () => {
  it("gathers an account's facts from every source, in batches", async () => {
    const [facts, quiet] = await loadAccountFacts(database.db, [ids.account, ids.other], NOW);
    expect(facts).toMatchObject({
      accountId: ids.account,
      name: "Fixture Co",
      assignedStaffId: null,
      firstPaidAt: ago(40),
      // The trial's clock (56 days ago) started the service before its setup was redone.
      serviceStartedAt: ago(56),
      trial: { status: "converted", planSlug: "team", manualSetup: false, clockStartedAt: ago(56) },
      milestones: { planned: 4, reached: 1, lastReachedAt: ago(50) },
      usage: {
        hasData: true,
        activeUsers28d: 2,
        seatsBought: 4,
        activeDays28d: 3,
        featuresUsed28d: 2,
        featuresEverUsed: 3,
        lastActiveAt: new Date(`${dayAgo(1)}T00:00:00Z`),
        maxLimitShare: 0.9,
      },
      setup: { failedSince: null, waitingCustomerSince: ago(4), waitingStaffSince: null },
      payment: { failingSince: null, worstStatus: "ok" },
      contactRequests: { last30d: 1, lastAt: ago(5) },
      lead: { id: ids.lead, verdict: "fits", score: 7, companySize: "11-50" },
      signals: { pricingViewedAt: ago(2), checkoutOpenedAt: null, checkoutUnpaid: true },
    });
    expect(facts!.subscriptions).toEqual([
      expect.objectContaining({
        id: "sub_fixture",
        status: "active",
        interval: "year",
        mrrMinor: 8000,
        currency: "usd",
      }),
    ]);
    expect(quiet).toMatchObject({
      accountId: ids.other,
      subscriptions: [],
      trial: null,
      usage: { hasData: false, seatsBought: 0 },
      lead: null,
    });
  });
});

describe("refreshAccounts", () => {
  type Row = Record<string, unknown>;
  const standing = async (accountId: string) =>
    (await database.sql<Row[]>`select * from account_success where account_id = ${accountId}`)[0]!;

  it("writes the account's standing and today's snapshot, with trends from earlier snapshots", async () => {
    const measures = JSON.stringify([]);
    await database.sql`insert into health_snapshots (account_id, day, score, band, profile, computed_score, measures, weights_version)
      values (${ids.account}, ${dayAgo(7)}, 70, 'yellow', 'standard', 70, ${measures}::jsonb, 0),
             (${ids.account}, ${dayAgo(30)}, 50, 'yellow', 'standard', 50, ${measures}::jsonb, 0)`;
    expect(await refreshAccounts(database.db, [ids.account, ids.other], NOW)).toEqual({ accounts: 2 });
    const [facts] = await loadAccountFacts(database.db, [ids.account], NOW);
    const pql = scorePql(facts!);
    expect(await standing(ids.account)).toMatchObject({
      stage: "onboarding",
      stage_day: 41,
      health_score: 65,
      health_band: "yellow",
      health_profile: "standard",
      health_change_7d: -5,
      health_change_30d: 15,
      health_dropped_at: null,
      pql_score: pql?.score ?? null,
      mrr_minor: "8000",
      currency: "usd",
      plan_slugs: ["team"],
      trial_ends_at: null,
      // A setup waiting on the customer 3 days or more comes first after failing payments.
      attention: 165,
      search: "fixture co alice@fixture.test bob@other.test fixture.test other.test",
    });
    const [snapshot] = await database.sql<Row[]>`
      select * from health_snapshots where account_id = ${ids.account} and day = ${dayAgo(0)}`;
    expect(snapshot).toMatchObject({
      score: 65,
      computed_score: 65,
      band: "yellow",
      profile: "standard",
      weights_version: 0,
    });
    const measures0 = snapshot!.measures as { key: string; score: number | null; explanation: string }[];
    expect(measures0.find((m) => m.key === "setup")).toMatchObject({
      score: 50,
      explanation: "A setup has waited on the customer since 4 days ago.",
    });
    // Not in service: a stage, no health, no snapshot.
    expect(await standing(ids.other)).toMatchObject({
      stage: "prospect",
      health_score: null,
      attention: 899,
      search: "quiet ltd",
    });
    const [{ count }] =
      (await database.sql`select count(*)::int from health_snapshots where account_id = ${ids.other}`) as unknown as [
        { count: number },
      ];
    expect(count).toBe(0);
    // Running again the same day overwrites today's row.
    await refreshAccounts(database.db, [ids.account], new Date(NOW.getTime() + 1000));
    const [{ rows }] =
      (await database.sql`select count(*)::int as rows from health_snapshots where account_id = ${ids.account}`) as unknown as [
        { rows: number },
      ];
    expect(rows).toBe(3);
  });

  it("alerts once when the score falls 15 points or more within 7 days", async () => {
    await database.sql`insert into health_snapshots (account_id, day, score, band, profile, computed_score, measures, weights_version)
      values (${ids.account}, ${dayAgo(3)}, 85, 'green', 'standard', 85, '[]'::jsonb, 0)`;
    await refreshAccounts(database.db, [ids.account], NOW);
    expect(new Date((await standing(ids.account)).health_dropped_at as string)).toEqual(NOW);
    const later = new Date(NOW.getTime() + 3_600_000);
    await refreshAccounts(database.db, [ids.account], later);
    expect(new Date((await standing(ids.account)).health_dropped_at as string)).toEqual(NOW);
  });

  it("applies a staff override until it is cleared, validated and audited, and queues the account's refresh", async () => {
    const actor = { userId: ids.staff };
    const base = { accountId: ids.account, band: "red" as const, reason: "Champion left the company" };
    expect(await setOverride(database.db, { ...base, expiresAt: ago(1) }, actor, NOW)).toMatchObject({
      ok: false,
      message: "Choose an end in the future",
    });
    expect(await setOverride(database.db, { ...base, expiresAt: ago(-181) }, actor, NOW)).toMatchObject({ ok: false });
    expect(await setOverride(database.db, { ...base, reason: "  ", expiresAt: ago(-10) }, actor, NOW)).toMatchObject({
      ok: false,
      message: "Say why you set the health",
    });
    const expiresAt = ago(-10);
    const first = await setOverride(database.db, { ...base, expiresAt }, actor, NOW);
    const again = await setOverride(database.db, { ...base, expiresAt }, actor, NOW);
    expect(first.ok && again.ok && again.override?.id).toBe(first.ok && first.override?.id);
    expect((await currentOverride(database.db, ids.account, NOW))?.band).toBe("red");
    expect(await currentOverride(database.db, ids.account, ago(-11))).toBeNull();
    const jobs = await database.sql<{ key: string }[]>`
      select key from graphile_worker.jobs where task_identifier = 'cs_refresh_account'`;
    expect(jobs.map((job) => job.key)).toEqual([`cs_refresh_account:${ids.account}`]);

    await refreshAccounts(database.db, [ids.account], NOW);
    expect(await standing(ids.account)).toMatchObject({ health_band: "red", health_score: 65, stage: "at_risk" });
    const [snapshot] = await database.sql<Row[]>`
      select score, computed_score, override_id from health_snapshots where account_id = ${ids.account} and day = ${dayAgo(0)}`;
    expect(snapshot).toEqual({ score: 65, computed_score: 65, override_id: first.ok ? first.override!.id : null });

    const id = first.ok ? first.override!.id : "";
    expect(await clearOverride(database.db, id, actor, NOW)).toMatchObject({ ok: true, override: null });
    expect(await clearOverride(database.db, id, actor, NOW)).toMatchObject({
      ok: true,
      message: "That override had already ended.",
    });
    await refreshAccounts(database.db, [ids.account], NOW);
    expect(await standing(ids.account)).toMatchObject({ health_band: "yellow", health_score: 65 });
    const audit = await database.sql<{ action: string; actor_id: string }[]>`
      select action, actor_id from audit_events where action like 'health.override%' order by occurred_at, action`;
    expect(audit).toEqual([
      { action: "health.override_set", actor_id: ids.staff },
      { action: "health.override_cleared", actor_id: ids.staff },
    ]);
  });
});

describe("health weights", () => {
  const onlyPayment = Object.fromEntries(
    Object.keys(DEFAULT_WEIGHTS.standard).map((key) => [key, key === "payment" ? 100 : 0]),
  );

  it("are versioned and audited; the same weights again add nothing; bad input is refused with a sentence", async () => {
    expect(await currentWeights(database.db)).toEqual({ version: 0, weights: DEFAULT_WEIGHTS });
    const admin = { userId: ids.admin };
    expect(
      await saveWeights(
        database.db,
        { onboarding: onlyPayment, standard: { ...onlyPayment, payment: -1 } },
        admin,
        "x",
      ),
    ).toEqual({
      ok: false,
      message: "Enter each weight as a whole number from 0 to 100",
    });
    const zero = Object.fromEntries(Object.keys(onlyPayment).map((key) => [key, 0]));
    expect(await saveWeights(database.db, { onboarding: onlyPayment, standard: zero }, admin, "x")).toEqual({
      ok: false,
      message: "Give at least one measure a weight in the standard profile",
    });
    expect(await saveWeights(database.db, { onboarding: onlyPayment, standard: onlyPayment }, admin, "")).toMatchObject(
      {
        ok: false,
        message: "Say why the weights change",
      },
    );
    const saved = await saveWeights(
      database.db,
      { onboarding: onlyPayment, standard: onlyPayment },
      admin,
      "Payment only",
    );
    const twice = await saveWeights(database.db, { onboarding: onlyPayment, standard: onlyPayment }, admin, "Again");
    expect(saved).toMatchObject({ ok: true, version: 1 });
    expect(twice).toMatchObject({ ok: true, version: 1, message: "These weights are already in force (version 1)." });
    expect((await currentWeights(database.db)).version).toBe(1);
    const { versions, next } = await listWeightVersions(database.db, null);
    expect(versions.map((v) => [v.version, v.createdBy, v.reason])).toEqual([[1, "Ada Admin", "Payment only"]]);
    expect(next).toBeNull();
    const audit = await database.sql`select actor_id, details from audit_events where action = 'health.weights_saved'`;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: ids.admin,
      details: { version: 1, previous: 0, reason: "Payment only" },
    });
  });

  it("re-score stored history only when asked, from each snapshot's own measures", async () => {
    const before = await database.sql<{ day: string; computed_score: number; weights_version: number }[]>`
      select day::text, computed_score, weights_version from health_snapshots where account_id = ${ids.account} order by day`;
    expect(before.every((row) => row.weights_version === 0)).toBe(true);
    await queueHistoryRecompute(database.db, { userId: ids.admin });
    const queued =
      await database.sql`select 1 from graphile_worker.jobs where task_identifier = 'cs_recompute_history'`;
    expect(queued).toHaveLength(1);
    const result = await recomputeHistory(database.db, NOW);
    expect(result).toEqual({ snapshots: before.length, version: 1 });
    const after = await database.sql<{ day: string; computed_score: number; weights_version: number }[]>`
      select day::text, computed_score, weights_version from health_snapshots where account_id = ${ids.account} order by day`;
    // Today's snapshot has a payment measure (100): with payment only it scores 100. The hand-made
    // earlier ones have no measures: nothing has data, so they score 100 as well (no measure says otherwise).
    expect(after.map((row) => [row.day, row.computed_score, row.weights_version])).toEqual(
      before.map((row) => [row.day, 100, 1]),
    );
    expect(await recomputeHistory(database.db, NOW)).toEqual({ snapshots: 0, version: 1 });
    const audit =
      await database.sql`select action from audit_events where action like 'health.history%' order by occurred_at`;
    expect(audit.map((row) => row.action)).toEqual([
      "health.history_recompute_requested",
      "health.history_recomputed",
      "health.history_recomputed",
    ]);
  });
});
