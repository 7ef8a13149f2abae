import { readdirSync } from "node:fs";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  csTasks,
  leads,
  organisations,
  provisioningRequests,
  serviceInstances,
  users,
} from "../../db/schema";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import * as staffLayout from "../../app/routes/staff";
import * as staffHome from "../../app/routes/staff._index";
import * as staffAccounts from "../../app/routes/staff.accounts._index";
import * as staffAccount from "../../app/routes/staff.accounts.$accountId";
import * as staffAccountsExport from "../../app/routes/staff.accounts[.csv]";
import * as staffIngestKey from "../../app/routes/staff.accounts.$accountId_.ingest-key.$instanceId";
import * as staffLeads from "../../app/routes/staff.leads._index";
import * as staffLead from "../../app/routes/staff.leads.$leadId";
import * as staffQueue from "../../app/routes/staff.provisioning._index";
import * as staffRequest from "../../app/routes/staff.provisioning.$requestId";
import * as staffTrials from "../../app/routes/staff.trials";
import * as staffTrialsToCall from "../../app/routes/staff.trials_.call";
import * as staffTeam from "../../app/routes/staff.team";
import * as staffTasks from "../../app/routes/staff.tasks._index";
import * as staffTask from "../../app/routes/staff.tasks.$taskId";
import * as staffPlaybooks from "../../app/routes/staff.playbooks";
import * as staffHealthWeights from "../../app/routes/staff.health-weights";
import * as staffMetricsLayout from "../../app/routes/staff.metrics";
import * as staffMetrics from "../../app/routes/staff.metrics._index";
import * as staffMetricsCohorts from "../../app/routes/staff.metrics.cohorts";
import * as staffMetricsAccounts from "../../app/routes/staff.metrics.accounts";
import * as staffMetricsExport from "../../app/routes/staff.metrics[.csv]";
import * as staffMetricsFunnel from "../../app/routes/staff.metrics.funnel";
import * as staffMetricsPlan from "../../app/routes/staff.metrics.plan";
import * as staffMetricsTrials from "../../app/routes/staff.metrics.trials";

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;
type Role = "anonymous" | "customer" | "staff" | "admin";
const ROLES: Role[] = ["anonymous", "customer", "staff", "admin"];

let database: TestDatabase;
let context: AppLoadContext;
const cookies = {} as Record<Role, string>;
const ids = {} as Record<Role | "organisation" | "lead" | "request" | "instance" | "task", string>;

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  const [organisation] = await database.db
    .insert(organisations)
    .values({ name: "Matrix Co" })
    .returning({ id: organisations.id });
  ids.organisation = organisation!.id;
  for (const role of ["customer", "staff", "admin"] as const) {
    const [user] = await database.db
      .insert(users)
      .values({
        email: `${role}@matrix.test`,
        name: `The ${role}`,
        passwordHash: "x",
        emailVerifiedAt: new Date(),
        staffRole: role === "customer" ? null : role,
      })
      .returning({ id: users.id });
    ids[role] = user!.id;
    cookies[role] = await signedIn(context, user!.id, ids.organisation);
  }
  cookies.anonymous = "";
  const [lead] = await database.db
    .insert(leads)
    .values({ answers: {}, verdict: "fits", score: 1, result: { reasons: [], requirements: [], verdict: "fits" } })
    .returning({ id: leads.id });
  ids.lead = lead!.id;
  const snapshot = {
    productSlug: "p",
    planSlug: "team",
    planName: "Team",
    seats: 1,
    limits: {},
    features: [],
    trialEndsAt: null,
  };
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId: ids.organisation, productSlug: "p", planSlug: "team", snapshot })
    .returning({ id: serviceInstances.id });
  ids.instance = instance!.id;
  const [request] = await database.db
    .insert(provisioningRequests)
    .values({
      accountId: ids.organisation,
      instanceId: instance!.id,
      operation: "provision",
      status: "waiting_staff",
      provisioner: "manual",
      snapshot,
      maxAttempts: 1,
      slaDueAt: new Date(Date.now() + 3_600_000),
      idempotencyKey: "matrix",
    })
    .returning({ id: provisioningRequests.id });
  ids.request = request!.id;
  const [task] = await database.db
    .insert(csTasks)
    .values({
      accountId: ids.organisation,
      title: "Call them.",
      reason: "Because.",
      link: `/staff/accounts/${ids.organisation}`,
      dueAt: new Date(),
    })
    .returning({ id: csTasks.id });
  ids.task = task!.id;
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** Every page of the console and the least role that may open it (ADR 15). */
const pages: {
  file: string;
  path: () => string;
  params: () => Record<string, string>;
  loader: Handler;
  least: Role;
}[] = [
  { file: "staff", path: () => "/staff", params: () => ({}), loader: staffLayout.loader, least: "staff" },
  { file: "staff._index", path: () => "/staff", params: () => ({}), loader: staffHome.loader, least: "staff" },
  {
    file: "staff.accounts._index",
    path: () => "/staff/accounts",
    params: () => ({}),
    loader: staffAccounts.loader,
    least: "staff",
  },
  {
    file: "staff.accounts[.csv]",
    path: () => "/staff/accounts.csv",
    params: () => ({}),
    loader: staffAccountsExport.loader,
    least: "staff",
  },
  {
    file: "staff.accounts.$accountId",
    path: () => `/staff/accounts/${ids.organisation}`,
    params: () => ({ accountId: ids.organisation }),
    loader: staffAccount.loader as Handler,
    least: "staff",
  },
  {
    file: "staff.accounts.$accountId_.ingest-key.$instanceId",
    path: () => `/staff/accounts/${ids.organisation}/ingest-key/${ids.instance}`,
    params: () => ({ accountId: ids.organisation, instanceId: ids.instance }),
    loader: staffIngestKey.loader as Handler,
    least: "staff",
  },
  {
    file: "staff.leads._index",
    path: () => "/staff/leads",
    params: () => ({}),
    loader: staffLeads.loader,
    least: "staff",
  },
  {
    file: "staff.leads.$leadId",
    path: () => `/staff/leads/${ids.lead}`,
    params: () => ({ leadId: ids.lead }),
    loader: staffLead.loader,
    least: "staff",
  },
  {
    file: "staff.provisioning._index",
    path: () => "/staff/provisioning",
    params: () => ({}),
    loader: staffQueue.loader,
    least: "staff",
  },
  {
    file: "staff.provisioning.$requestId",
    path: () => `/staff/provisioning/${ids.request}`,
    params: () => ({ requestId: ids.request }),
    loader: staffRequest.loader,
    least: "staff",
  },
  { file: "staff.trials", path: () => "/staff/trials", params: () => ({}), loader: staffTrials.loader, least: "staff" },
  {
    file: "staff.trials_.call",
    path: () => "/staff/trials/call",
    params: () => ({}),
    loader: staffTrialsToCall.loader,
    least: "staff",
  },
  { file: "staff.team", path: () => "/staff/team", params: () => ({}), loader: staffTeam.loader, least: "admin" },
  {
    file: "staff.tasks._index",
    path: () => "/staff/tasks",
    params: () => ({}),
    loader: staffTasks.loader,
    least: "staff",
  },
  {
    file: "staff.tasks.$taskId",
    path: () => `/staff/tasks/${ids.task}`,
    params: () => ({ taskId: ids.task }),
    loader: staffTask.loader as Handler,
    least: "staff",
  },
  {
    file: "staff.playbooks",
    path: () => "/staff/playbooks",
    params: () => ({}),
    loader: staffPlaybooks.loader,
    least: "admin",
  },
  {
    file: "staff.health-weights",
    path: () => "/staff/health-weights",
    params: () => ({}),
    loader: staffHealthWeights.loader,
    least: "admin",
  },
  ...(
    [
      ["staff.metrics", "/staff/metrics", staffMetricsLayout.loader],
      ["staff.metrics._index", "/staff/metrics", staffMetrics.loader],
      ["staff.metrics.cohorts", "/staff/metrics/cohorts", staffMetricsCohorts.loader],
      ["staff.metrics.accounts", "/staff/metrics/accounts?month=2026-01&movement=new", staffMetricsAccounts.loader],
      ["staff.metrics[.csv]", "/staff/metrics.csv?table=bridge", staffMetricsExport.loader],
      ["staff.metrics.funnel", "/staff/metrics/funnel", staffMetricsFunnel.loader],
      ["staff.metrics.plan", "/staff/metrics/plan", staffMetricsPlan.loader],
      ["staff.metrics.trials", "/staff/metrics/trials?month=2026-01", staffMetricsTrials.loader],
    ] as const
  ).map(([file, path, loader]) => ({
    file,
    path: () => path,
    params: () => ({}),
    loader: loader as Handler,
    least: "admin" as const,
  })),
];

function allowed(role: Role, least: Role): boolean {
  return least === "staff" ? role === "staff" || role === "admin" : role === "admin";
}

describe("the staff console, route × role", () => {
  it("covers every staff route in app/routes", () => {
    const files = readdirSync(new URL("../../app/routes", import.meta.url))
      .filter((file) => file === "staff.tsx" || file.startsWith("staff."))
      .map((file) => file.replace(/\.tsx?$/, ""));
    expect(pages.map((page) => page.file).sort()).toEqual(files.sort());
  });

  for (const role of ROLES) {
    it(`lets ${role} open exactly the pages of their role; every other page is a 404, never a login redirect`, async () => {
      for (const page of pages) {
        const request = new Request(`${ROUTE_APP_URL}${page.path()}`, { headers: { cookie: cookies[role] } });
        const answer = await callRoute(page.loader, request, context, page.params());
        expect(answer.status, `${role} on ${page.path()}`).toBe(allowed(role, page.least) ? 200 : 404);
        expect(answer.location).toBeNull();
      }
    });
  }

  it("refuses the admins' actions to staff (404 for the admins' page, 403 for an action on a page staff see), and changes nothing", async () => {
    const [target] = await database.db
      .insert(users)
      .values({ email: "target@matrix.test", name: "Target", passwordHash: "x", staffRole: "staff" })
      .returning({ id: users.id });
    for (const role of ["anonymous", "customer", "staff"] as const) {
      const attempts: Record<string, string>[] = [
        { intent: "add", name: "Spy", email: `spy-${role}@matrix.test`, role: "admin" },
        { intent: "change-role", userId: ids[role === "anonymous" ? "customer" : role], role: "admin" },
        { intent: "remove", userId: target!.id },
      ];
      for (const fields of attempts) {
        const answer = await callRoute(staffTeam.action, formPost("/staff/team", cookies[role], fields), context);
        expect(answer.status, `${role} ${fields.intent}`).toBe(404);
      }
      const grant = await callRoute(
        staffAccount.action as Handler,
        formPost(`/staff/accounts/${ids.organisation}`, cookies[role], { intent: "grant-trial", reason: "because" }),
        context,
        { accountId: ids.organisation },
      );
      expect(grant.status, `${role} grant-trial`).toBe(role === "staff" ? 403 : 404);
      for (const intent of ["save", "recompute"]) {
        const answer = await callRoute(
          staffHealthWeights.action,
          formPost("/staff/health-weights", cookies[role], {
            intent,
            confirm: "yes",
            reason: "spy",
            "standard.payment": "100",
          }),
          context,
        );
        expect(answer.status, `${role} health weights ${intent}`).toBe(404);
      }
    }
    const [weightVersions] = await database.sql<
      { count: number }[]
    >`select count(*)::int as count from health_weight_versions`;
    expect(weightVersions!.count).toBe(0);
    const staffRows = await database.db.select({ email: users.email, role: users.staffRole }).from(users);
    expect(staffRows.filter((row) => row.email.startsWith("spy-"))).toEqual([]);
    expect(staffRows.find((row) => row.email === "staff@matrix.test")?.role).toBe("staff");
    expect(staffRows.find((row) => row.email === "target@matrix.test")?.role).toBe("staff");
  });

  it("lets an admin add, promote and remove staff, audited, and never leaves the console without an admin", async () => {
    const post = (fields: Record<string, string>) =>
      callRoute(staffTeam.action, formPost("/staff/team", cookies.admin, fields), context);
    const added = await post({ intent: "add", name: "New Hire", email: "New.Hire@Matrix.test", role: "staff" });
    expect(added).toMatchObject({ status: 200, body: { ok: true } });
    // The same form sent again (two tabs, a double click) changes nothing.
    expect((await post({ intent: "add", name: "New Hire", email: "new.hire@matrix.test", role: "staff" })).status).toBe(
      200,
    );
    const [hire] = await database.db.select().from(users).where(eq(users.email, "new.hire@matrix.test"));
    expect(hire!.staffRole).toBe("staff");
    expect((await post({ intent: "change-role", userId: hire!.id, role: "admin" })).status).toBe(200);
    expect((await post({ intent: "remove", userId: hire!.id })).status).toBe(200);
    const [removed] = await database.db.select().from(users).where(eq(users.id, hire!.id));
    expect(removed!.staffRole).toBeNull();
    const audited = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, hire!.id));
    expect(audited.map((event) => [event.action, event.actorId])).toEqual([
      ["staff.created", ids.admin],
      ["staff.role_changed", ids.admin],
      ["staff.removed", ids.admin],
    ]);
    // An admin cannot change their own access; the only admin cannot be demoted by anyone.
    expect(await post({ intent: "remove", userId: ids.admin })).toMatchObject({ status: 409 });
    expect(await post({ intent: "change-role", userId: ids.staff, role: "admin" })).toMatchObject({ status: 200 });
    const staffAdmin = await signedIn(context, ids.staff, ids.organisation);
    // Two admins demoting each other at once: one succeeds and one admin stays.
    const [a, b] = await Promise.all([
      callRoute(
        staffTeam.action,
        formPost("/staff/team", cookies.admin, { intent: "change-role", userId: ids.staff, role: "staff" }),
        context,
      ),
      callRoute(
        staffTeam.action,
        formPost("/staff/team", staffAdmin, { intent: "change-role", userId: ids.admin, role: "staff" }),
        context,
      ),
    ]);
    // The loser is refused by the lock (409) or, once demoted, no longer an admin at all (404).
    expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1);
    const admins = await database.db.select().from(users).where(eq(users.staffRole, "admin"));
    expect(admins).toHaveLength(1);
    const remaining = admins[0]!.id === ids.admin ? cookies.admin : staffAdmin;
    const invalid = await callRoute(
      staffTeam.action,
      formPost("/staff/team", remaining, { intent: "add", name: "", email: "not an email", role: "owner" }),
      context,
    );
    expect(invalid).toMatchObject({ status: 400, body: { ok: false, message: "Enter the staff member's name" } });
  });
});
