/**
 * Issue 11, case 8: a change to what a customer can use reaches them by email and on the page. A paused
 * service is shown as paused since when, with what to do; owners and admins are emailed on pause and
 * on resume (in the transaction that completes the request); the history never reads "Suspend … Ready".
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, organisations, subscriptions, users } from "../../db/schema";
import { queueSetupCompleteEmails } from "../../app/modules/email/setup-complete.server";
import { customerEvent } from "../../app/modules/provisioning-labels";
import { pausedServices } from "../../app/modules/service-status.server";
import {
  createDemoProvisioner,
  enqueueProvisioning,
  ProvisionerRegistry,
  runProvisioningRequest,
  type Operation,
  type RequestStatus,
} from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";
import { snapshotOf } from "../support/snapshot";

let database: TestDatabase;
let registry: ProvisionerRegistry;
const appUrl = "https://portal.test";

beforeAll(async () => {
  database = await createTestDatabase();
  registry = new ProvisionerRegistry([createDemoProvisioner(database.db, appUrl)]);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const snapshot = snapshotOf({ planSlug: "starter", planName: "Starter", seats: 2 });

async function run(accountId: string, operation: Operation, key: string, instanceId?: string) {
  const enqueued = await database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId,
      operation,
      snapshot,
      provisioner: "demo",
      config: {},
      ...(instanceId ? { instanceId } : {}),
      idempotencyKey: key,
      actor: { type: "system", id: null },
    }),
  );
  await runProvisioningRequest(database.db, enqueued.requestId, {
    registry,
    callbackUrl: (id) => `${appUrl}/cb/${id}`,
    onSucceeded: (tx, completed) => queueSetupCompleteEmails(tx, appUrl, completed),
  });
  return enqueued.instanceId;
}

describe("a service paused for an unpaid subscription", () => {
  it("is shown as paused since when with what to do, and the owners are emailed on pause and on resume", async () => {
    const [owner] = await database.db
      .insert(users)
      .values({ email: "owner@paused.test", name: "Olga", passwordHash: "x", emailVerifiedAt: new Date() })
      .returning();
    const [org] = await database.db.insert(organisations).values({ name: "Paused Co" }).returning();
    await database.db.insert(memberships).values({ organisationId: org!.id, userId: owner!.id, role: "owner" });
    const instanceId = await run(org!.id, "provision", `order:paused-${org!.id}`);
    await database.db
      .insert(subscriptions)
      .values({ id: `sub_paused_${org!.id}`, accountId: org!.id, status: "unpaid", quantity: 2, instanceId });
    expect(await pausedServices(database.db, org!.id)).toEqual([]);

    const before = new Date();
    await run(org!.id, "suspend", `subscription:sub_paused:suspend:unpaid`, instanceId);
    const [paused] = await pausedServices(database.db, org!.id);
    expect(paused).toMatchObject({
      planName: "Starter",
      reason: { path: "/account/billing", sentence: expect.stringContaining("Update your card on the billing page") },
    });
    expect(paused!.pausedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const afterPause = await queuedEmails(database, "owner@paused.test");
    const pauseMail = afterPause.find((m) => m.subject === "Your Starter service is paused");
    expect(pauseMail?.text).toContain("https://portal.test/account/billing");

    await database.db
      .update(subscriptions)
      .set({ status: "active" })
      .where(eq(subscriptions.id, `sub_paused_${org!.id}`));
    await run(org!.id, "resume", `subscription:sub_paused:resume:active`, instanceId);
    expect(await pausedServices(database.db, org!.id)).toEqual([]);
    expect((await queuedEmails(database, "owner@paused.test")).map((m) => m.subject)).toEqual([
      "Your Starter service is ready",
      "Your Starter service is paused",
      "Your Starter service is running again",
    ]);
  });
});

describe("the customer's service history", () => {
  it("reads as events a person understands: a finished pause or removal is never 'Ready'", () => {
    const operations: Operation[] = ["provision", "modify", "suspend", "resume", "deprovision"];
    const statuses: RequestStatus[] = ["queued", "running", "waiting_staff", "succeeded", "failed", "cancelled"];
    for (const operation of operations)
      for (const status of statuses) {
        const event = customerEvent(operation, status, "Starter");
        expect(event.text).not.toMatch(/Suspend|Deprovision|_/);
        if (operation === "suspend" || operation === "deprovision") expect(event.badge).not.toBe("Ready");
      }
    expect(customerEvent("suspend", "succeeded", "Starter")).toMatchObject({
      text: "Paused: Starter",
      badge: "Paused",
    });
    expect(customerEvent("resume", "succeeded", "Starter")).toMatchObject({
      text: "Running again: Starter",
      badge: "Running",
    });
  });
});
