/**
 * Issue 11, case 9: a control plane that accepts a request (HTTP 202) and never calls back must not
 * leave it stuck. Rules: an accepted request has a deadline (the plan's callbackDeadlineMinutes,
 * default 60) after which it is retried or escalated by the runner's rules; staff can always retry or
 * cancel a request that is not finished, audited; a late callback then changes nothing.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, organisations, provisioningRequests, serviceInstances, users } from "../../db/schema";
import {
  applyCallback,
  cancelRequest,
  enqueueProvisioning,
  outcome,
  ProvisionerRegistry,
  retryRequest,
  runProvisioningRequest,
  sweepOverdueCallbacks,
  type Provisioner,
} from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { snapshotOf } from "../support/snapshot";

let database: TestDatabase;
const callbackUrl = (id: string) => `https://portal.test/provisioning/callbacks/${id}`;
let calls = 0;
/** A control plane that accepts everything and never calls back. */
const silent: Provisioner = {
  key: "silent",
  mode: "automatic",
  execute: async () => {
    calls += 1;
    return outcome.accepted("the control plane accepted the request and will call back");
  },
};
const registry = new ProvisionerRegistry([silent]);
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function acceptedRequest(name: string, config: Record<string, unknown> = {}) {
  const [org] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  const { requestId, instanceId } = await database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId: org!.id,
      operation: "provision",
      snapshot: snapshotOf({ productSlug: "p" }),
      provisioner: "silent",
      config,
      idempotencyKey: `silent-${org!.id}`,
      actor: { type: "system", id: null },
    }),
  );
  await runProvisioningRequest(database.db, requestId, { registry, callbackUrl });
  return { requestId, instanceId, accountId: org!.id };
}

async function request(id: string) {
  const [row] = await database.db.select().from(provisioningRequests).where(eq(provisioningRequests.id, id));
  return row!;
}

async function staffMember(email: string) {
  const [staff] = await database.db
    .insert(users)
    .values({ email, name: "Sam", passwordHash: "x", staffRole: "staff" })
    .returning({ id: users.id, name: users.name });
  return staff!;
}

describe("an accepted request whose control plane never calls back", () => {
  it("has a deadline from the plan (60 minutes unless it says otherwise) and nothing happens before it", async () => {
    const byDefault = await acceptedRequest("Default Deadline Co");
    const row = await request(byDefault.requestId);
    expect(row.status).toBe("running");
    expect(row.callbackDueAt!.getTime()).toBeGreaterThan(minutes(59).getTime());
    expect(row.callbackDueAt!.getTime()).toBeLessThanOrEqual(minutes(60).getTime());

    const perPlan = await acceptedRequest("Plan Deadline Co", { callbackDeadlineMinutes: 10 });
    expect((await request(perPlan.requestId)).callbackDueAt!.getTime()).toBeLessThanOrEqual(minutes(10).getTime());
    expect(await sweepOverdueCallbacks(database.db, minutes(5))).toBe(0);
    expect((await request(perPlan.requestId)).status).toBe("running");
  });

  it("is retried after its deadline and, once its attempts are used up, waits for staff with the reason", async () => {
    const { requestId } = await acceptedRequest("Silent Control Plane Co", { callbackDeadlineMinutes: 30 });
    calls = 0;
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      if (attempt > 1) await runProvisioningRequest(database.db, requestId, { registry, callbackUrl });
      expect(await request(requestId)).toMatchObject({ status: "running", attempts: attempt });
      // Another sweep running at the same time handles it once.
      const swept = await Promise.all([
        sweepOverdueCallbacks(database.db, minutes(31)),
        sweepOverdueCallbacks(database.db, minutes(31)),
      ]);
      expect(swept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      const row = await request(requestId);
      expect(row.callbackDueAt).toBeNull();
      expect(row.status).toBe(attempt < 5 ? "queued" : "waiting_staff");
    }
    expect(calls).toBe(4);
    expect((await request(requestId)).waitingReason).toContain("did not report back within 30 minutes");
    await sweepOverdueCallbacks(database.db, minutes(120));
    expect((await request(requestId)).status).toBe("waiting_staff");
  });
});

describe("staff on an unfinished request", () => {
  it("can retry a running request (audited); the earlier attempt's late callback changes nothing", async () => {
    const { requestId, instanceId } = await acceptedRequest("Retry Running Co");
    const staff = await staffMember("retry-running@staff.test");
    expect(await retryRequest(database.db, requestId, staff)).toEqual({ ok: true });
    expect(await request(requestId)).toMatchObject({ status: "queued", attempts: 0, callbackDueAt: null });
    expect(await applyCallback(database.db, { requestId, status: "failed", error: "late" }, {})).toBe("ignored");
    expect((await request(requestId)).status).toBe("queued");
    const [instance] = await database.db.select().from(serviceInstances).where(eq(serviceInstances.id, instanceId));
    expect(instance!.status).toBe("pending");

    // A queued request can be retried too: it runs now, with fresh attempts.
    expect(await retryRequest(database.db, requestId, staff)).toEqual({ ok: true });
    const audits = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, requestId), eq(auditEvents.actorId, staff.id)));
    expect(audits.map((a) => [a.action, a.details.fromStatus])).toEqual([
      ["provisioning_request.retried", "running"],
      ["provisioning_request.retried", "queued"],
    ]);
  });

  it("can cancel a running request (audited, with the reason); a late success report leaves it cancelled", async () => {
    const { requestId, instanceId } = await acceptedRequest("Cancel Running Co");
    const staff = await staffMember("cancel-running@staff.test");
    expect(await cancelRequest(database.db, requestId, staff, "the vendor set it up by hand")).toEqual({ ok: true });
    expect(await request(requestId)).toMatchObject({ status: "cancelled", callbackDueAt: null });
    expect(
      await applyCallback(database.db, { requestId, status: "succeeded", result: { url: "https://late.test" } }, {}),
    ).toBe("ignored");
    expect(await request(requestId)).toMatchObject({ status: "cancelled", result: null });
    const [instance] = await database.db.select().from(serviceInstances).where(eq(serviceInstances.id, instanceId));
    expect(instance).toMatchObject({ status: "pending", access: null });
    await sweepOverdueCallbacks(database.db, minutes(120));
    expect((await request(requestId)).status).toBe("cancelled");

    const [audit] = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, requestId));
    expect(audit).toMatchObject({
      actorType: "staff",
      actorId: staff.id,
      action: "provisioning_request.cancelled",
      organisationId: (await request(requestId)).accountId,
      details: { fromStatus: "running", reason: "the vendor set it up by hand" },
    });

    // Finished is finished: a clear sentence, not an error.
    expect(await retryRequest(database.db, requestId, staff)).toEqual({
      ok: false,
      message: "This request has been cancelled; there is nothing to retry.",
    });
    expect(await cancelRequest(database.db, requestId, staff, "again")).toEqual({
      ok: false,
      message: "This request has been cancelled already; it cannot be cancelled.",
    });
  });
});
