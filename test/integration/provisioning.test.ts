import { eq, sql } from "drizzle-orm";
import { Logger, run } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoTenants,
  organisations,
  provisioningEvents,
  provisioningRequests,
  serviceInstances,
  users,
} from "../../db/schema";
import {
  claimRequest,
  completeManually,
  createDemoProvisioner,
  enqueueProvisioning,
  manualProvisioner,
  outcome,
  ProvisionerRegistry,
  provisioningTasks,
  retryRequest,
  runProvisioningRequest,
  type Outcome,
  type Provisioner,
  type Snapshot,
} from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let registry: ProvisionerRegistry;
const system = { type: "system", id: null } as const;
const callbackUrl = (id: string) => `https://portal.test/provisioning/callbacks/${id}`;

const snapshot = (planSlug = "team"): Snapshot => ({
  productSlug: "northwind-projects",
  planSlug,
  planName: planSlug === "business" ? "Business" : "Team",
  seats: 5,
  limits: { projects: 100, storage_gb: 200 },
  features: ["guests"],
  trialEndsAt: null,
});

beforeAll(async () => {
  database = await createTestDatabase();
  registry = new ProvisionerRegistry([createDemoProvisioner(database.db, "https://portal.test"), manualProvisioner]);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function account(name: string): Promise<string> {
  const [org] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  return org!.id;
}

async function request(id: string) {
  const [row] = await database.db.select().from(provisioningRequests).where(eq(provisioningRequests.id, id));
  return row!;
}

async function events(id: string) {
  const rows = await database.db
    .select()
    .from(provisioningEvents)
    .where(eq(provisioningEvents.requestId, id))
    .orderBy(provisioningEvents.id);
  return rows.map((e) => `${e.fromStatus ?? "∅"}→${e.toStatus}`);
}

async function jobsFor(requestId: string) {
  return database.sql<{ run_at: Date; queue_name: string | null }[]>`
    select j.run_at, q.queue_name from graphile_worker._private_jobs j
    left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    where j.payload->>'requestId' = ${requestId}`;
}

describe("enqueueProvisioning", () => {
  it("makes one request, one event and one job per idempotency key, in the caller's transaction", async () => {
    const accountId = await account("Idem Co");
    const input = {
      accountId,
      operation: "provision" as const,
      snapshot: snapshot(),
      provisioner: "demo",
      config: {},
      idempotencyKey: `order-1-${accountId}`,
      actor: system,
    };
    const first = await database.db.transaction((tx) => enqueueProvisioning(tx, input));
    const second = await database.db.transaction((tx) => enqueueProvisioning(tx, input));
    expect(second).toEqual({ ...first, created: false });
    expect(await events(first.requestId)).toEqual(["∅→queued"]);
    const jobs = await jobsFor(first.requestId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.queue_name).toBe(`provisioning:${accountId}`);

    await database.db
      .transaction(async (tx) => {
        await enqueueProvisioning(tx, { ...input, idempotencyKey: `rolled-back-${accountId}` });
        throw new Error("the order failed");
      })
      .catch(() => {});
    const rolledBack = await database.db
      .select()
      .from(provisioningRequests)
      .where(eq(provisioningRequests.idempotencyKey, `rolled-back-${accountId}`));
    expect(rolledBack).toEqual([]);
  });
});

describe("the demo provisioner", () => {
  it("sets up a tenant, and the request and instance show the access details", async () => {
    const accountId = await account("Demo Rockets");
    const { requestId, instanceId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId,
        operation: "provision",
        snapshot: snapshot(),
        provisioner: "demo",
        config: {},
        idempotencyKey: `demo-${accountId}`,
        actor: system,
      }),
    );
    await runProvisioningRequest(database.db, requestId, { registry, callbackUrl });
    const done = await request(requestId);
    expect(done.status).toBe("succeeded");
    expect(done.result?.workspace_url).toMatch(/^https:\/\/portal\.test\/demo\/demo-rockets-[0-9a-f]{8}$/);
    const [instance] = await database.db.select().from(serviceInstances).where(eq(serviceInstances.id, instanceId));
    expect(instance).toMatchObject({ status: "active", access: done.result });
    expect(await events(requestId)).toEqual(["∅→queued", "queued→running", "running→succeeded"]);

    // A second delivery of the same job changes nothing.
    await runProvisioningRequest(database.db, requestId, { registry, callbackUrl });
    expect(await events(requestId)).toHaveLength(3);

    // Suspending the same instance keeps its tenant and marks it suspended.
    const suspend = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId,
        instanceId,
        operation: "suspend",
        snapshot: snapshot(),
        provisioner: "demo",
        config: {},
        idempotencyKey: `suspend-${accountId}`,
        actor: system,
      }),
    );
    await runProvisioningRequest(database.db, suspend.requestId, { registry, callbackUrl });
    const tenants = await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, instanceId));
    expect(tenants).toHaveLength(1);
    expect(tenants[0]?.status).toBe("suspended");
  });
});

describe("manual provisioning by staff", () => {
  const config = {
    resultFields: [
      { key: "workspace_url", label: "Workspace URL", type: "url" },
      { key: "admin_email", label: "Admin email", type: "email" },
    ],
  };

  it("waits for staff; one staff member claims and completes it with valid fields, another cannot", async () => {
    const accountId = await account("Manual Ltd");
    const [alice, bob] = await database.db
      .insert(users)
      .values([
        { email: `alice-${accountId}@staff.test`, name: "Alice", passwordHash: "x", staffRole: "staff" },
        { email: `bob-${accountId}@staff.test`, name: "Bob", passwordHash: "x", staffRole: "staff" },
      ])
      .returning({ id: users.id, name: users.name });
    const { requestId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId,
        operation: "provision",
        snapshot: snapshot("business"),
        provisioner: "manual",
        config,
        idempotencyKey: `manual-${accountId}`,
        actor: system,
      }),
    );
    await runProvisioningRequest(database.db, requestId, { registry, callbackUrl });
    const waiting = await request(requestId);
    expect(waiting.status).toBe("waiting_staff");
    expect(waiting.waitingReason).toContain("Workspace URL, Admin email");

    expect(await completeManually(database.db, requestId, alice!, { workspace_url: "https://x.test" })).toEqual({
      ok: false,
      message: "Claim the request before completing it.",
    });
    expect(await claimRequest(database.db, requestId, alice!)).toEqual({ ok: true });
    expect(await claimRequest(database.db, requestId, bob!)).toEqual({
      ok: false,
      message: "Another staff member has claimed this request.",
    });
    expect(
      await completeManually(database.db, requestId, bob!, {
        workspace_url: "https://x.test",
        admin_email: "a@x.test",
      }),
    ).toMatchObject({ ok: false });

    const invalid = await completeManually(database.db, requestId, alice!, {
      workspace_url: "not a url",
      admin_email: "",
    });
    expect(invalid).toEqual({
      ok: false,
      message: "Correct the highlighted fields.",
      fieldErrors: { workspace_url: "Enter a full web address starting with https://", admin_email: "Fill this in" },
    });
    expect((await request(requestId)).status).toBe("waiting_staff");

    const notified: string[] = [];
    const done = await completeManually(
      database.db,
      requestId,
      alice!,
      { workspace_url: "https://manual.example.test", admin_email: "admin@manual.test" },
      {
        onSucceeded: async (_tx, completed) => {
          notified.push(completed.id);
        },
      },
    );
    expect(done).toEqual({ ok: true });
    expect(notified).toEqual([requestId]);
    expect((await request(requestId)).result).toEqual({
      workspace_url: "https://manual.example.test",
      admin_email: "admin@manual.test",
    });
    expect(
      await completeManually(database.db, requestId, alice!, {
        workspace_url: "https://again.test",
        admin_email: "a@b.test",
      }),
    ).toMatchObject({ ok: false });
    expect(await events(requestId)).toEqual([
      "∅→queued",
      "queued→running",
      "running→waiting_staff",
      "waiting_staff→waiting_staff",
      "waiting_staff→succeeded",
    ]);
  });
});

describe("retries and escalation", () => {
  it("retries with a growing delay and escalates to staff with the last error after the last attempt", async () => {
    const accountId = await account("Flaky Inc");
    let calls = 0;
    const flaky: Provisioner = {
      key: "flaky",
      mode: "automatic",
      execute: async () => outcome.retry(`control plane answered 503 (call ${++calls})`),
    };
    const flakyRegistry = new ProvisionerRegistry([flaky]);
    const { requestId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId,
        operation: "provision",
        snapshot: snapshot(),
        provisioner: "flaky",
        config: {},
        idempotencyKey: `flaky-${accountId}`,
        actor: system,
      }),
    );
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await runProvisioningRequest(database.db, requestId, { registry: flakyRegistry, callbackUrl });
      const row = await request(requestId);
      expect(row.attempts).toBe(attempt);
      if (attempt < 5) {
        expect(row.status).toBe("queued");
        const [job] = await jobsFor(requestId);
        expect(new Date(job!.run_at).getTime()).toBeGreaterThan(Date.now());
      }
    }
    const escalated = await request(requestId);
    expect(escalated.status).toBe("waiting_staff");
    expect(escalated.waitingReason).toContain("control plane answered 503 (call 5)");
    expect(calls).toBe(5);

    // Staff send it back with fresh attempts.
    const [staff] = await database.db
      .insert(users)
      .values({ email: `s-${accountId}@staff.test`, name: "Sid", passwordHash: "x", staffRole: "staff" })
      .returning();
    expect(await retryRequest(database.db, requestId, staff!)).toEqual({ ok: true });
    expect(await request(requestId)).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("runs a request again when its worker died mid-way, once, without a second tenant", async () => {
    const accountId = await account("Crashy Co");
    const { requestId, instanceId } = await database.db.transaction((tx) =>
      enqueueProvisioning(tx, {
        accountId,
        operation: "provision",
        snapshot: snapshot(),
        provisioner: "demo",
        config: {},
        idempotencyKey: `crash-${accountId}`,
        actor: system,
      }),
    );
    // As a dead worker leaves it: running, attempt 1, untouched for longer than the lease.
    await database.db
      .update(provisioningRequests)
      .set({ status: "running", attempts: 1, updatedAt: sql`now() - interval '10 minutes'` })
      .where(eq(provisioningRequests.id, requestId));
    await Promise.all([
      runProvisioningRequest(database.db, requestId, { registry, callbackUrl }),
      runProvisioningRequest(database.db, requestId, { registry, callbackUrl }),
    ]);
    expect(await request(requestId)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, instanceId))).toHaveLength(1);
    expect((await events(requestId)).filter((e) => e === "running→running")).toHaveLength(1);
  });
});

describe("through the job queue", () => {
  it("runs the requests of one account one at a time, in order, while accounts run side by side", async () => {
    const active = new Map<string, number>();
    let overlapWithinAccount = false;
    const order: string[] = [];
    const slow: Provisioner = {
      key: "slow",
      mode: "automatic",
      async execute(job): Promise<Outcome> {
        const now = (active.get(job.accountId) ?? 0) + 1;
        active.set(job.accountId, now);
        if (now > 1) overlapWithinAccount = true;
        await new Promise((resolve) => setTimeout(resolve, 60));
        order.push(`${job.accountName}:${job.snapshot.seats}`);
        active.set(job.accountId, now - 1);
        return outcome.done({});
      },
    };
    const accounts = [await account("Queue A"), await account("Queue B")];
    const ids: string[] = [];
    for (const accountId of accounts) {
      for (const seats of [1, 2, 3]) {
        const enqueued = await database.db.transaction((tx) =>
          enqueueProvisioning(tx, {
            accountId,
            operation: "provision",
            snapshot: { ...snapshot(), seats },
            provisioner: "slow",
            config: {},
            idempotencyKey: `q-${accountId}-${seats}`,
            actor: system,
          }),
        );
        ids.push(enqueued.requestId);
      }
    }
    const worker = await run({
      connectionString: database.url,
      concurrency: 4,
      noHandleSignals: true,
      pollInterval: 100,
      logger: new Logger(() => () => {}),
      taskList: provisioningTasks(database.db, { registry: new ProvisionerRegistry([slow]), callbackUrl }),
    });
    try {
      await expect
        .poll(async () => (await Promise.all(ids.map(request))).every((r) => r.status === "succeeded"), {
          timeout: 15_000,
        })
        .toBe(true);
    } finally {
      await worker.stop();
    }
    expect(overlapWithinAccount).toBe(false);
    expect(order.filter((o) => o.startsWith("Queue A"))).toEqual(["Queue A:1", "Queue A:2", "Queue A:3"]);
    expect(order.filter((o) => o.startsWith("Queue B"))).toEqual(["Queue B:1", "Queue B:2", "Queue B:3"]);
  });
});
