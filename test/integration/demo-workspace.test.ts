import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rotateIngestKey } from "../../app/modules/usage/key-rotation.server";
import { issueIngestKey } from "../../app/modules/usage/ingest-keys.server";
import { DEMO_USAGE_REPORT_TASK, sendUsageReport, type UsageReport } from "../../app/modules/demo/usage-report.server";
import { changeDemoWorkspace, type WorkspaceViewer } from "../../app/modules/demo/workspace.server";
import * as layout from "../../app/routes/demo.$subdomain";
import * as projectsPage from "../../app/routes/demo.$subdomain.projects";
import { demoTenants, memberships, organisations, serviceInstances } from "../../db/schema";
import type { Snapshot } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, formPost, routeContext, ROUTE_APP_URL, signedIn } from "../support/routes";
import { insertPerson } from "../support/people";

let database: TestDatabase;
let context: ReturnType<typeof routeContext>;

beforeAll(async () => {
  database = await createTestDatabase();
  // The workspace pages never call Stripe; the context only needs a client in its place.
  context = routeContext(database, new Stripe("sk_test_unused"));
});
afterAll(async () => {
  await dropTestDatabase(database);
});

function person(name: string, staffRole: "staff" | null = null) {
  return insertPerson(database.db, name, staffRole);
}

const viewerOf = (user: { id: string; name: string; email: string }, staff = false): WorkspaceViewer => ({
  userId: user.id,
  name: user.name,
  email: user.email,
  staff,
});

/** An organisation with a member and a demo tenant holding a key; `features` and `projects` from its plan. */
async function tenant(name: string, { features = ["integrations"], projects = 2 as number | null } = {}) {
  const [org] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  const member = await person("Mia");
  await database.db.insert(memberships).values({ organisationId: org!.id, userId: member.id, role: "member" });
  const snapshot: Snapshot = {
    productSlug: "northwind-projects",
    planSlug: "starter",
    planName: "Starter",
    seats: 3,
    limits: { projects, storage_gb: 20, api_calls: 10_000 },
    features,
    trialEndsAt: null,
  };
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId: org!.id, productSlug: snapshot.productSlug, planSlug: "starter", status: "active", snapshot })
    .returning({ id: serviceInstances.id });
  const instanceId = instance!.id;
  const key = await database.db.transaction((tx) => issueIngestKey(tx, instanceId, { type: "system", id: null }));
  const subdomain = `ws-${instanceId.slice(0, 8)}`;
  await database.db.insert(demoTenants).values({
    instanceId,
    subdomain,
    planSlug: "starter",
    limits: snapshot.limits,
    seats: 3,
    status: "active",
    ingestKey: key.key,
  });
  return { accountId: org!.id, instanceId, subdomain, member, viewer: viewerOf(member), key: key.key };
}

async function reports(instanceId: string): Promise<UsageReport[]> {
  const rows = await database.sql<{ payload: UsageReport }[]>`
    select payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${DEMO_USAGE_REPORT_TASK} and j.payload->>'instanceId' = ${instanceId}
    order by j.id`;
  return rows.map((row) => row.payload);
}

async function workspaceOf(instanceId: string) {
  const [row] = await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, instanceId));
  return row!.workspace as { projects?: { name: string }[]; teammates?: { email: string }[] };
}

describe("demo workspace changes", () => {
  it("a member creates projects up to the plan's limit; each change queues its report in the same transaction", async () => {
    const t = await tenant("Workspace Limits Co", { projects: 2 });

    expect(
      await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "Alpha" }),
    ).toEqual({
      ok: true,
      message: "Project “Alpha” created.",
    });
    expect(
      await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "alpha" }),
    ).toMatchObject({ ok: false, status: 409 });
    await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "Beta" });
    const third = await changeDemoWorkspace(database.db, t.subdomain, t.viewer, {
      kind: "create-project",
      name: "Gamma",
    });

    expect(third).toEqual({
      ok: false,
      status: 422,
      field: "name",
      message:
        "Your Starter plan includes 2 projects and this workspace has them all. Upgrade the plan in the portal to create more.",
    });
    expect((await workspaceOf(t.instanceId)).projects?.map((p) => p.name)).toEqual(["Alpha", "Beta"]);
    const queued = await reports(t.instanceId);
    expect(queued.map((r) => r.event)).toEqual(["Project Created", "Project Created"]);
    expect(queued[1]).toMatchObject({
      user: { id: t.member.id, name: "Mia", email: t.member.email },
      traits: { name: "Workspace Limits Co", projects: 2, api_calls: 50 },
    });
    expect(queued[1]!.traits.storage_gb).toBeGreaterThan(0);
    expect(new Set(queued.map((r) => r.changeId)).size).toBe(2);
  });

  it("invites a teammate once per address, and connects an integration once (a second tab reports nothing)", async () => {
    const t = await tenant("Workspace Team Co");
    const invite = { kind: "invite-teammate" as const, name: "Ravi", email: "Ravi@Example.test" };

    expect(await changeDemoWorkspace(database.db, t.subdomain, t.viewer, invite)).toMatchObject({ ok: true });
    expect(await changeDemoWorkspace(database.db, t.subdomain, t.viewer, invite)).toMatchObject({
      ok: false,
      status: 409,
      field: "email",
    });
    const connect = { kind: "set-integration" as const, integration: "slack" as const, connected: true };
    expect(await changeDemoWorkspace(database.db, t.subdomain, t.viewer, connect)).toMatchObject({ ok: true });
    expect(await changeDemoWorkspace(database.db, t.subdomain, t.viewer, connect)).toEqual({
      ok: true,
      message: "Slack is already connected.",
    });
    await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { ...connect, connected: false });

    expect((await workspaceOf(t.instanceId)).teammates?.map((m) => m.email)).toEqual(["ravi@example.test"]);
    expect((await reports(t.instanceId)).map((r) => r.event)).toEqual([
      "Teammate Invited",
      "Integration Connected",
      "Integration Disconnected",
    ]);
  });

  it("refuses integrations the plan lacks (403), and any change to a paused or removed workspace (409)", async () => {
    const t = await tenant("Workspace Plain Co", { features: [] });
    expect(
      await changeDemoWorkspace(database.db, t.subdomain, t.viewer, {
        kind: "set-integration",
        integration: "github",
        connected: true,
      }),
    ).toEqual({ ok: false, status: 403, message: "Your Starter plan does not include integrations." });

    await database.db.update(demoTenants).set({ status: "suspended" }).where(eq(demoTenants.instanceId, t.instanceId));
    expect(
      await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "P" }),
    ).toEqual({
      ok: false,
      status: 409,
      message: "This workspace is paused, so nothing can be changed. It opens again when the service resumes.",
    });
    await database.db.update(demoTenants).set({ status: "deleted" }).where(eq(demoTenants.instanceId, t.instanceId));
    expect(
      await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "P" }),
    ).toMatchObject({
      status: 409,
    });
    expect(await workspaceOf(t.instanceId)).toEqual({});
    expect(await reports(t.instanceId)).toEqual([]);
  });

  it("is open to the organisation's members and staff; others get 404 on its pages and actions", async () => {
    const t = await tenant("Workspace Access Co");
    const outsider = await person("Otto");
    const staff = await person("Sia", "staff");
    const page = async (user: { id: string }) =>
      callRoute(
        layout.loader,
        new Request(`${ROUTE_APP_URL}/demo/${t.subdomain}`, {
          headers: { cookie: await signedIn(context, user.id, null) },
        }),
        context,
        { subdomain: t.subdomain },
      );

    expect((await page(t.member)).status).toBe(200);
    expect((await page(staff)).status).toBe(200);
    expect((await page(outsider)).status).toBe(404);
    const create = await callRoute(
      projectsPage.action,
      formPost(`/demo/${t.subdomain}/projects`, await signedIn(context, outsider.id, null), { name: "Sneaky" }),
      context,
      { subdomain: t.subdomain },
    );
    expect(create.status).toBe(404);
    const unknown = await callRoute(
      layout.loader,
      new Request(`${ROUTE_APP_URL}/demo/no-such-tenant`, {
        headers: { cookie: await signedIn(context, t.member.id, null) },
      }),
      context,
      { subdomain: "no-such-tenant" },
    );
    expect(unknown.status).toBe(404);
    expect(await workspaceOf(t.instanceId)).toEqual({});
  });

  it("answers a form: 422 on the name field past the limit, a sentence when done", async () => {
    const t = await tenant("Workspace Form Co", { projects: 1 });
    const cookie = await signedIn(context, t.member.id, t.accountId);
    const post = (name: string) =>
      callRoute(projectsPage.action, formPost(`/demo/${t.subdomain}/projects`, cookie, { name }), context, {
        subdomain: t.subdomain,
      });

    expect(await post("First")).toMatchObject({ status: 200, body: { done: "Project “First” created." } });
    const refused = await post("Second");
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("Your Starter plan includes 1 projects");
    expect((await post("")).status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------

type Received = { headers: IncomingHttpHeaders; body: string };

describe("the demo_usage_report job", () => {
  let api: Server;
  let apiUrl = "";
  const received: Received[] = [];
  const answers: { status: number; body?: string }[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (req.url !== "/api/v1/batch") return void res.writeHead(404).end();
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        const answer = answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, { "Content-Type": "application/json" }).end(answer.body ?? "{}");
      });
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    answers.length = 0;
    warnings.length = 0;
  });

  const deps = () => ({ db: database.db, appUrl: apiUrl, warn: (message: string) => warnings.push(message) });

  it("posts identify, track and group with the tenant's key; a retry after a 503 resends the same messageIds", async () => {
    const t = await tenant("Report Co");
    await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "Launch" });
    const [report] = await reports(t.instanceId);
    answers.push({ status: 503 });

    await expect(sendUsageReport(deps(), report)).rejects.toThrow("the usage API answered 503; retrying later");
    expect(await sendUsageReport(deps(), report)).toBe("sent");

    expect(received).toHaveLength(2);
    const expectedAuth = `Basic ${Buffer.from(`${t.key}:`).toString("base64")}`;
    expect(received.map((r) => r.headers.authorization)).toEqual([expectedAuth, expectedAuth]);
    const [first, second] = received.map(
      (r) => JSON.parse(r.body) as { batch: Record<string, unknown>[]; sentAt: string },
    );
    expect(first!.batch).toEqual([
      {
        type: "identify",
        messageId: `${report!.changeId}-identify`,
        userId: t.member.id,
        timestamp: report!.timestamp,
        traits: { name: "Mia", email: t.member.email },
      },
      {
        type: "track",
        messageId: `${report!.changeId}-track`,
        userId: t.member.id,
        timestamp: report!.timestamp,
        event: "Project Created",
        properties: { project_id: expect.any(String), name: "Launch" },
      },
      {
        type: "group",
        messageId: `${report!.changeId}-group`,
        userId: t.member.id,
        timestamp: report!.timestamp,
        groupId: t.instanceId,
        traits: { name: "Report Co", projects: 1, storage_gb: expect.any(Number), api_calls: 25 },
      },
    ]);
    expect(second!.batch.map((e) => e.messageId)).toEqual(first!.batch.map((e) => e.messageId));
    expect(Date.parse(first!.sentAt)).not.toBeNaN();
    expect(warnings).toEqual([]);
  });

  it("uses the key in force after a rotation; retries 429; gives up on a 401 with a warning that names no key", async () => {
    const t = await tenant("Report Rotate Co");
    await changeDemoWorkspace(database.db, t.subdomain, t.viewer, {
      kind: "invite-teammate",
      name: "Kim",
      email: "kim@x.test",
    });
    const [report] = await reports(t.instanceId);
    const rotated = await rotateIngestKey(database.db, {
      instanceId: t.instanceId,
      accountId: t.accountId,
      by: { type: "user", id: t.member.id, name: "Mia" },
      appUrl: ROUTE_APP_URL,
    });
    answers.push({ status: 429 }, { status: 401, body: JSON.stringify({ error: "This key was revoked." }) });

    await expect(sendUsageReport(deps(), report)).rejects.toThrow(/429/);
    expect(await sendUsageReport(deps(), report)).toBe("refused");

    const newKey = rotated.ok ? rotated.key : "";
    expect(received[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${newKey}:`).toString("base64")}`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("refused it (401)");
    expect(warnings[0]).not.toContain("pik_");
  });

  it("logs events the API rejected, and sends nothing for a tenant without a key", async () => {
    const t = await tenant("Report Rejected Co");
    await changeDemoWorkspace(database.db, t.subdomain, t.viewer, { kind: "create-project", name: "Old" });
    const [report] = await reports(t.instanceId);
    const results = [
      { messageId: `${report!.changeId}-identify`, status: "accepted" },
      { messageId: `${report!.changeId}-track`, status: "rejected", reason: "this event is too old" },
      { messageId: `${report!.changeId}-group`, status: "duplicate" },
    ];
    answers.push({ status: 200, body: JSON.stringify({ results }) });

    expect(await sendUsageReport(deps(), report)).toBe("sent");
    expect(warnings).toEqual([
      `demo usage report ${report!.changeId}: event ${report!.changeId}-track rejected: this event is too old`,
    ]);

    await database.db.update(demoTenants).set({ ingestKey: null }).where(eq(demoTenants.instanceId, t.instanceId));
    expect(await sendUsageReport(deps(), report)).toBe("no-key");
    expect(received).toHaveLength(1);
  });
});
