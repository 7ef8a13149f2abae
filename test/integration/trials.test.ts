import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoTenants,
  memberships,
  organisations,
  provisioningRequests,
  serviceInstances,
  trials,
  users,
} from "../../db/schema";
import {
  createDemoProvisioner,
  manualProvisioner,
  ProvisionerRegistry,
  runProvisioningRequest,
} from "../../provisioning";
import { activeTrial, startTrial } from "../../app/modules/trials/trials.server";
import { extendTrial, sweepTrials, TRIAL_RETENTION_MS } from "../../app/modules/trials/lifecycle.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";

let database: TestDatabase;
let registry: ProvisionerRegistry;
const appUrl = "https://portal.test";
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  database = await createTestDatabase();
  registry = new ProvisionerRegistry([createDemoProvisioner(database.db, appUrl), manualProvisioner]);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function ownerWithOrganisation(name: string) {
  const [user] = await database.db
    .insert(users)
    .values({ email: `${name}@trial.test`, name, passwordHash: "x", emailVerifiedAt: new Date() })
    .returning();
  const [org] = await database.db
    .insert(organisations)
    .values({ name: `${name} Org` })
    .returning();
  await database.db.insert(memberships).values({ organisationId: org!.id, userId: user!.id, role: "owner" });
  return { userId: user!.id, accountId: org!.id, email: user!.email };
}

/** Runs every queued request of the account, as the worker would. */
async function runQueued(accountId: string) {
  const queued = await database.db
    .select()
    .from(provisioningRequests)
    .where(eq(provisioningRequests.accountId, accountId));
  for (const request of queued.filter((r) => r.status === "queued")) {
    await runProvisioningRequest(database.db, request.id, { registry, callbackUrl: (id) => `${appUrl}/cb/${id}` });
  }
}

async function instanceStatus(accountId: string) {
  const [instance] = await database.db.select().from(serviceInstances).where(eq(serviceInstances.accountId, accountId));
  const [tenant] = await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, instance!.id));
  return { instance: instance!.status, tenant: tenant?.status };
}

describe("trials", () => {
  it("start with no card, once per product, and set up their instance through the plan's provisioner", async () => {
    const { userId, accountId } = await ownerWithOrganisation("tess");
    expect(await startTrial(database.db, accountId, "enterprise", userId)).toEqual({
      ok: false,
      message: "This plan has no free trial.",
    });
    const started = await startTrial(database.db, accountId, "team", userId);
    expect(started.ok).toBe(true);
    // Staff see the new trial (its stage, its PQL score, its day-1 task) without waiting for the hourly run.
    expect(
      await database.sql`select 1 from graphile_worker.jobs where key = ${`cs_refresh_account:${accountId}`}`,
    ).toHaveLength(1);
    expect(await startTrial(database.db, accountId, "starter", userId)).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^Your organisation's Team trial is running until \d+ \w+ \d{4}; there can be one trial at a time\.$/,
      ),
    });
    const trial = await activeTrial(database.db, accountId, "northwind-projects");
    expect(trial!.endsAt!.getTime() - trial!.startedAt.getTime()).toBeCloseTo(14 * DAY, -4);
    const [request] = await database.db
      .select()
      .from(provisioningRequests)
      .where(eq(provisioningRequests.accountId, accountId));
    expect(request).toMatchObject({ operation: "provision", provisioner: "demo", status: "queued" });
    expect(request!.snapshot).toMatchObject({
      planSlug: "team",
      seats: 3,
      limits: { projects: 100, storage_gb: 200, api_calls: 100000 },
    });
    await runQueued(accountId);
    expect(await instanceStatus(accountId)).toEqual({ instance: "active", tenant: "active" });
  });

  it("allow one active trial even when two start at once", async () => {
    const { userId, accountId } = await ownerWithOrganisation("twin");
    const results = await Promise.all([
      startTrial(database.db, accountId, "team", userId),
      startTrial(database.db, accountId, "starter", userId),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await database.db.select().from(trials).where(eq(trials.accountId, accountId))).toHaveLength(1);
  });

  it("remind 3 days before the end, expire and suspend, come back when staff extend, and are removed after retention", async () => {
    const { userId, accountId, email } = await ownerWithOrganisation("rhea");
    await startTrial(database.db, accountId, "starter", userId);
    await runQueued(accountId);
    const trial = (await activeTrial(database.db, accountId, "northwind-projects"))!;

    const twoDaysBefore = new Date(trial.endsAt!.getTime() - 2 * DAY);
    expect((await sweepTrials(database.db, appUrl, twoDaysBefore)).reminded).toBeGreaterThanOrEqual(1);
    expect((await queuedEmails(database, email)).map((m) => m.subject)).toContain("Your Starter trial ends in 2 days");
    await sweepTrials(database.db, appUrl, twoDaysBefore);
    expect((await queuedEmails(database, email)).filter((m) => m.subject.includes("ends in"))).toHaveLength(1);

    const afterEnd = new Date(trial.endsAt!.getTime() + 60_000);
    expect((await sweepTrials(database.db, appUrl, afterEnd)).expired).toBeGreaterThanOrEqual(1);
    expect((await queuedEmails(database, email)).map((m) => m.subject)).toContain("Your Starter trial has ended");
    await runQueued(accountId);
    expect(await instanceStatus(accountId)).toEqual({ instance: "suspended", tenant: "suspended" });

    expect(
      await extendTrial(database.db, trial.id, 7, "Needs another week for the pilot", { type: "staff", id: userId }),
    ).toEqual({ ok: true });
    await runQueued(accountId);
    expect(await instanceStatus(accountId)).toEqual({ instance: "active", tenant: "active" });
    const extended = (await activeTrial(database.db, accountId, "northwind-projects"))!;
    expect(extended.endsAt!.getTime()).toBeGreaterThan(Date.now() + 6 * DAY);

    const expiredAgain = new Date(extended.endsAt!.getTime() + 60_000);
    await sweepTrials(database.db, appUrl, expiredAgain);
    await runQueued(accountId);
    const afterRetention = new Date(expiredAgain.getTime() + TRIAL_RETENTION_MS + 60_000);
    expect((await sweepTrials(database.db, appUrl, afterRetention)).removed).toBeGreaterThanOrEqual(1);
    await runQueued(accountId);
    expect(await instanceStatus(accountId)).toEqual({ instance: "deprovisioned", tenant: "deleted" });
    expect(await extendTrial(database.db, trial.id, 7, "too late", { type: "staff", id: userId })).toEqual({
      ok: false,
      message: "This trial can no longer be extended.",
    });
  });
});
