import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, provisioningRequests, serviceInstances, trials } from "../../db/schema";
import {
  claimRequest,
  completeManually,
  enqueueProvisioning,
  listQueue,
  manualProvisioner,
  ProvisionerRegistry,
  runProvisioningRequest,
  type RunnerOptions,
} from "../../provisioning";
import { queueSetupCompleteEmails } from "../../app/modules/email/setup-complete.server";
import { requireCatalog } from "../../app/modules/catalog/catalog.server";
import { loadPlanPolicy, snapshotOf } from "../../app/modules/catalog/plan-policy.server";
import { trialOverview, startTrial } from "../../app/modules/trials/trials.server";
import { trialEligibility } from "../../app/modules/trials/eligibility.server";
import { extendTrial, sweepTrials } from "../../app/modules/trials/lifecycle.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";
import { buyer } from "../support/billing";

// Issue 14, item 9: a trial of a plan staff set up by hand (Business: `manual` provisioner) starts
// counting its days when the setup completes, and staff see such setups first.

let database: TestDatabase;
const registry = new ProvisionerRegistry([manualProvisioner]);
const appUrl = "https://portal.test";
const DAY = 24 * 60 * 60 * 1000;
const onSucceeded: Pick<RunnerOptions, "onSucceeded"> = {
  onSucceeded: (tx, request) => queueSetupCompleteEmails(tx, appUrl, request),
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** A confirmed person owning an organisation (test/support/billing.ts `buyer`). */
const person = (name: string) => buyer(database, name);

async function requestsOf(accountId: string) {
  return database.db.select().from(provisioningRequests).where(eq(provisioningRequests.accountId, accountId));
}

/** Runs the account's queued requests as the worker would: a manual setup then waits for staff. */
async function runQueued(accountId: string) {
  for (const request of (await requestsOf(accountId)).filter((r) => r.status === "queued"))
    await runProvisioningRequest(database.db, request.id, { registry, callbackUrl: (id) => `${appUrl}/cb/${id}` });
}

async function trialOf(accountId: string) {
  const [trial] = await database.db.select().from(trials).where(eq(trials.accountId, accountId));
  return trial!;
}

const businessResult = {
  workspace_url: "https://acme.eu.example.com",
  admin_email: "admin@acme.test",
  region: "eu-west",
};

describe("a trial set up by staff", () => {
  it("has no end until its setup completes, is left alone by the sweep meanwhile, then runs its full length", async () => {
    const owner = await person("bea");
    const staff = await person("sam");
    expect(await startTrial(database.db, owner.accountId, "business", owner.userId)).toMatchObject({ ok: true });
    const waiting = await trialOf(owner.accountId);
    expect(waiting).toMatchObject({ status: "active", endsAt: null, lengthDays: 14 });
    const [request] = await requestsOf(owner.accountId);
    expect(request).toMatchObject({ provisioner: "manual", operation: "provision" });
    expect(request!.snapshot.trialEndsAt).toBeNull();
    await runQueued(owner.accountId);
    expect((await requestsOf(owner.accountId))[0]!.status).toBe("waiting_staff");

    // The customer sees it being set up, with no countdown; another trial is refused in words.
    expect(await trialOverview(database.db, owner.accountId)).toMatchObject({ endsAt: null, lengthDays: 14 });
    expect(
      await trialEligibility(database.db, await requireCatalog(database.db), {
        accountId: owner.accountId,
        userId: owner.userId,
      }),
    ).toEqual({
      ok: false,
      message: "Your organisation's Business trial is being set up; there can be one trial at a time.",
    });

    // Staff take three weeks: the sweep neither reminds nor expires it.
    const threeWeeksOn = new Date(Date.now() + 21 * DAY);
    await sweepTrials(database.db, appUrl, threeWeeksOn);
    expect(await trialOf(owner.accountId)).toMatchObject({ status: "active", endsAt: null, reminderSentAt: null });
    expect((await queuedEmails(database, owner.email)).map((m) => m.subject)).toEqual([]);

    // A staff extension meanwhile lengthens the clock that has not started.
    const staffActor = { type: "staff", id: staff.userId } as const;
    expect(await extendTrial(database.db, waiting.id, 3, "Setup took long", staffActor)).toEqual({ ok: true });
    expect(await trialOf(owner.accountId)).toMatchObject({ endsAt: null, lengthDays: 17 });

    const staffMember = { id: staff.userId, name: "Sam" };
    expect(await claimRequest(database.db, request!.id, staffMember)).toEqual({ ok: true });
    const before = Date.now();
    expect(await completeManually(database.db, request!.id, staffMember, businessResult, onSucceeded)).toEqual({
      ok: true,
    });
    const started = await trialOf(owner.accountId);
    expect(started.endsAt!.getTime()).toBeGreaterThanOrEqual(before + 17 * DAY - 1000);
    expect(started.endsAt!.getTime()).toBeLessThanOrEqual(Date.now() + 17 * DAY + 1000);
    const [instance] = await database.db
      .select()
      .from(serviceInstances)
      .where(eq(serviceInstances.id, started.instanceId));
    expect(instance!.snapshot.trialEndsAt).toBe(started.endsAt!.toISOString());
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, started.id));
    expect(audit.map((a) => a.action)).toContain("trial.clock_started");

    // The ready email says when the trial ends.
    const endDay = started.endsAt!.toLocaleDateString("en-GB", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    const ready = (await queuedEmails(database, owner.email)).find(
      (m) => m.subject === "Your Business service is ready",
    );
    expect(ready?.text).toContain(`Your free trial runs until ${endDay}.`);

    // Reminder and expiry count from the new end.
    const twoDaysBefore = new Date(started.endsAt!.getTime() - 2 * DAY);
    await sweepTrials(database.db, appUrl, twoDaysBefore);
    const reminder = (await queuedEmails(database, owner.email)).find((m) => m.subject.includes("ends in 2 days"));
    expect(reminder?.text).toContain(`on ${endDay}`);
    await sweepTrials(database.db, appUrl, new Date(started.endsAt!.getTime() - 60_000));
    expect((await trialOf(owner.accountId)).status).toBe("active");
    await sweepTrials(database.db, appUrl, new Date(started.endsAt!.getTime() + 60_000));
    expect((await trialOf(owner.accountId)).status).toBe("expired");
  });

  it("keeps the clock of a trial set up automatically running from its start", async () => {
    const owner = await person("otto");
    await startTrial(database.db, owner.accountId, "team", owner.userId);
    const trial = await trialOf(owner.accountId);
    expect(trial.lengthDays).toBe(14);
    expect(trial.endsAt!.getTime() - trial.startedAt.getTime()).toBeCloseTo(14 * DAY, -4);
  });
});

describe("the staff queue", () => {
  it("shows trial setups waiting for staff before other setups waiting longer, a page at a time", async () => {
    const buyer = await person("olga");
    const catalog = await requireCatalog(database.db);
    const business = catalog.plans.find((p) => p.slug === "business")!;
    const policy = (await loadPlanPolicy(database.db, catalog.product.slug, "business"))!;
    await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId: buyer.accountId,
        operation: "provision",
        snapshot: snapshotOf(catalog, business, 1, null),
        provisioner: policy.provisioner,
        config: policy.config,
        idempotencyKey: `order:${randomUUID()}`,
        actor: { type: "customer", id: buyer.userId },
      }),
    );
    await runQueued(buyer.accountId);
    const trialist = await person("tim");
    await startTrial(database.db, trialist.accountId, "business", trialist.userId);
    await runQueued(trialist.accountId);

    const [bought] = await requestsOf(buyer.accountId);
    const [trial] = await requestsOf(trialist.accountId);
    expect(bought!.slaDueAt.getTime()).toBeLessThan(trial!.slaDueAt.getTime());

    const queue = await listQueue(database.db, { status: "waiting_staff" });
    const order = queue.requests.map((r) => r.id).filter((id) => id === bought!.id || id === trial!.id);
    expect(order).toEqual([trial!.id, bought!.id]);
    expect(queue.requests.find((r) => r.id === trial!.id)?.trialSetup).toBe(true);

    // Keyset paging keeps the order across pages.
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listQueue(database.db, { status: "waiting_staff", cursor }, 1);
      pages.push(...page.requests.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.filter((id) => id === bought!.id || id === trial!.id)).toEqual([trial!.id, bought!.id]);
  });
});
