import type { AppLoadContext } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as callRouteModule from "../../app/routes/staff.trials_.call";
import { listTrialsToCall } from "../../app/modules/success/trials-to-call.server";
import { accountSuccess, auditEvents, organisations, serviceInstances, trialOutreach, trials } from "../../db/schema";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import { teamSnapshot } from "../support/usage";

let database: TestDatabase;
let context: AppLoadContext;
let staffCookie: string;
let staffName: string;
const DAY = 86_400_000;

type Handler = Parameters<typeof callRoute>[0];

/** An organisation with a trial of Team ending in `daysLeft` days and, when given, a stored PQL score. */
async function trialAccount(
  name: string,
  options: { score: number | null; status?: "active" | "converted"; assignedStaffId?: string; daysLeft?: number },
) {
  const [organisation] = await database.db.insert(organisations).values({ name }).returning();
  const accountId = organisation!.id;
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId, productSlug: "northwind-projects", planSlug: "team", snapshot: teamSnapshot() })
    .returning();
  const [trial] = await database.db
    .insert(trials)
    .values({
      accountId,
      productSlug: "northwind-projects",
      planSlug: "team",
      instanceId: instance!.id,
      status: options.status ?? "active",
      endsAt: new Date(Date.now() + (options.daysLeft ?? 7) * DAY - 60_000),
      clockStartedAt: new Date(),
      lengthDays: 14,
    })
    .returning();
  await database.db
    .update(accountSuccess)
    .set({
      pqlScore: options.score,
      pqlReasons: options.score === null ? null : [`Reason of ${name}`, "4 of 5 milestones reached"],
      assignedStaffId: options.assignedStaffId ?? null,
    })
    .where(eq(accountSuccess.accountId, accountId));
  return { accountId, trialId: trial!.id };
}

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  const staff = await insertPerson(database.db, "Casey", "staff");
  staffName = staff.name;
  staffCookie = await signedIn(context, staff.id, null);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("Trials to call", () => {
  it("lists active trials by PQL score, highest first, a page at a time, without stale or unscored ones", async () => {
    const staff = await insertPerson(database.db, "Robin", "staff");
    await trialAccount("Mid Co", { score: 55 });
    await trialAccount("Top Co", { score: 91, assignedStaffId: staff.id, daysLeft: 3 });
    const tiedA = await trialAccount("Tie A", { score: 70 });
    const tiedB = await trialAccount("Tie B", { score: 70 });
    await trialAccount("Low Co", { score: 12 });
    await trialAccount("Unscored Co", { score: null });
    // Converted since the health job last ran: its stored score is stale.
    await trialAccount("Converted Co", { score: 99, status: "converted" });

    const ties = [tiedA, tiedB].sort((a, b) => (a.accountId < b.accountId ? 1 : -1));
    const tieNames = ties.map((tie) => (tie === tiedA ? "Tie A" : "Tie B"));
    const expected = ["Top Co", ...tieNames, "Mid Co", "Low Co"];

    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listTrialsToCall(database.db, cursor, 2);
      names.push(...page.trials.map((trial) => trial.accountName));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(names).toEqual(expected);
    expect(pages).toBe(3);
    // A hand-edited cursor starts from the top instead of failing.
    expect((await listTrialsToCall(database.db, "not-a-cursor", 2)).trials.map((t) => t.accountName)).toEqual(
      expected.slice(0, 2),
    );

    const answer = await callRoute(
      callRouteModule.loader as Handler,
      new Request(`${ROUTE_APP_URL}/staff/trials/call`, { headers: { cookie: staffCookie } }),
      context,
    );
    const body = answer.body as Awaited<ReturnType<typeof callRouteModule.loader>>;
    expect(body.trials[0]).toMatchObject({
      accountName: "Top Co",
      score: 91,
      planName: "Team",
      timeLeft: "3 days left",
      assignedName: "Robin",
      reasons: ["Reason of Top Co", "4 of 5 milestones reached"],
      contacted: null,
    });
    expect(body.nextPage).toBeNull();
    expect(body.viaOptions).toEqual([
      { value: "called", label: "Called" },
      { value: "emailed", label: "Emailed" },
    ]);
  });

  it("records a contact once, audited, however many tabs send it, and shows who and how", async () => {
    const { accountId, trialId } = await trialAccount("Callme Co", { score: 100 });
    const mark = (via: string, cookie = staffCookie, ids = { accountId, trialId }) =>
      callRoute(
        callRouteModule.action as Handler,
        formPost("/staff/trials/call?cursor=abc", cookie, { ...ids, via }),
        context,
      );
    const answers = await Promise.all([mark("called"), mark("called"), mark("emailed")]);
    for (const answer of answers) {
      expect(answer.status).toBe(302);
      expect(answer.location).toBe("/staff/trials/call?cursor=abc");
    }
    const recorded = await database.db.select().from(trialOutreach).where(eq(trialOutreach.trialId, trialId));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ beforeOutcome: true });
    const audited = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, trialId), eq(auditEvents.action, "trial.outreach_recorded")));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).toMatchObject({ via: recorded[0]!.via, beforeOutcome: true });

    const page = await callRoute(
      callRouteModule.loader as Handler,
      new Request(`${ROUTE_APP_URL}/staff/trials/call`, { headers: { cookie: staffCookie } }),
      context,
    );
    const row = (page.body as Awaited<ReturnType<typeof callRouteModule.loader>>).trials.find(
      (trial) => trial.trialId === trialId,
    );
    expect(row!.contacted).toMatch(
      new RegExp(`^Contacted: (called|emailed) by ${staffName} on \\d{1,2} [A-Z][a-z]+ \\d{4}$`),
    );

    // Bad input is a 400 with a sentence; another organisation's trial a 404; customers never reach it.
    expect(await mark("visited")).toMatchObject({
      status: 400,
      body: { error: "Say whether you called or emailed" },
    });
    const other = await trialAccount("Other Co", { score: 40 });
    expect(await mark("called", staffCookie, { accountId: other.accountId, trialId })).toMatchObject({
      status: 404,
      body: { error: "This trial is not one of this organisation's." },
    });
    const customer = await insertPerson(database.db, "Cus");
    const customerCookie = await signedIn(context, customer.id, null);
    expect((await mark("called", customerCookie, { accountId: other.accountId, trialId: other.trialId })).status).toBe(
      404,
    );
    expect(await database.db.select().from(trialOutreach).where(eq(trialOutreach.trialId, other.trialId))).toEqual([]);
  });
});
