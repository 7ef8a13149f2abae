/**
 * The demo workspace served at `/demo/<subdomain>` (issue 15): a small working product for a
 * demo-provisioned service, so the zero-setup demo shows usage flowing back. Members of the owning
 * organisation (and staff) use it; anyone else gets a 404. Each change is made under the tenant's
 * row lock and queues, in the same transaction, the job that reports it through the public ingest
 * API (usage-report.server.ts), as a vendor's product would.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";
import { demoTenants, memberships, organisations, serviceInstances } from "#db/schema";
import { DEMO_USAGE_REPORT_TASK, REPORT_MAX_ATTEMPTS, type UsageReport } from "./usage-report.server";
import {
  apiCallsThisMonth,
  INTEGRATIONS,
  storageGb,
  workspaceSchema,
  type IntegrationKey,
  type Workspace,
} from "./workspace";

export type WorkspaceViewer = { userId: string; name: string; email: string; staff: boolean };

/** Limits the demo enforces or shows; null means unlimited. */
export type WorkspaceLimits = { projects: number | null; storage_gb: number | null; api_calls: number | null };

export type WorkspaceView = {
  subdomain: string;
  instanceId: string;
  accountName: string;
  planName: string;
  seats: number;
  status: "active" | "suspended" | "deleted";
  limits: WorkspaceLimits;
  integrationsIncluded: boolean;
  workspace: Workspace;
  storageGb: number;
  apiCalls: number;
};

const SUBDOMAIN = /^[a-z0-9-]{1,60}$/;

type TenantRow = {
  instanceId: string;
  accountId: string;
  accountName: string;
  planName: string;
  features: string[];
  subdomain: string;
  seats: number;
  status: WorkspaceView["status"];
  limits: Record<string, number | null>;
  workspace: unknown;
};

async function findTenant(tx: DbOrTx, subdomain: string, lock: boolean): Promise<TenantRow | null> {
  if (!SUBDOMAIN.test(subdomain)) return null;
  const query = tx
    .select({
      instanceId: demoTenants.instanceId,
      accountId: serviceInstances.accountId,
      accountName: organisations.name,
      planName: sql<string>`${serviceInstances.snapshot}->>'planName'`,
      features: sql<string[]>`coalesce(${serviceInstances.snapshot}->'features', '[]'::jsonb)`,
      subdomain: demoTenants.subdomain,
      seats: demoTenants.seats,
      status: demoTenants.status,
      limits: demoTenants.limits,
      workspace: demoTenants.workspace,
    })
    .from(demoTenants)
    .innerJoin(serviceInstances, eq(serviceInstances.id, demoTenants.instanceId))
    .innerJoin(organisations, eq(organisations.id, serviceInstances.accountId))
    .where(eq(demoTenants.subdomain, subdomain));
  const [row] = lock ? await query.for("update", { of: demoTenants }) : await query;
  return row ?? null;
}

/** Staff, or a member of the organisation that owns the service, in any role. */
async function mayUse(tx: DbOrTx, tenant: TenantRow, viewer: WorkspaceViewer): Promise<boolean> {
  if (viewer.staff) return true;
  const [membership] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organisationId, tenant.accountId), eq(memberships.userId, viewer.userId)));
  return Boolean(membership);
}

const limitOf = (limits: Record<string, number | null>, key: string) =>
  typeof limits[key] === "number" ? limits[key] : null;

function viewOf(tenant: TenantRow, workspace: Workspace, now: Date): WorkspaceView {
  return {
    subdomain: tenant.subdomain,
    instanceId: tenant.instanceId,
    accountName: tenant.accountName,
    planName: tenant.planName,
    seats: tenant.seats,
    status: tenant.status,
    limits: {
      projects: limitOf(tenant.limits, "projects"),
      storage_gb: limitOf(tenant.limits, "storage_gb"),
      api_calls: limitOf(tenant.limits, "api_calls"),
    },
    integrationsIncluded: tenant.features.includes("integrations"),
    workspace,
    storageGb: storageGb(workspace),
    apiCalls: apiCallsThisMonth(workspace, now),
  };
}

/**
 * The workspace as its pages show it. Throws a 404 Response for an unknown subdomain and for
 * anyone who may not use it (the same answer, so outsiders learn nothing). Throws if the stored
 * workspace does not match `workspaceSchema` (data the portal itself wrote: a bug, not input).
 */
export async function demoWorkspace(db: DbOrTx, subdomain: string, viewer: WorkspaceViewer): Promise<WorkspaceView> {
  const tenant = await findTenant(db, subdomain, false);
  if (!tenant || !(await mayUse(db, tenant, viewer))) throw new Response("Not found", { status: 404 });
  return viewOf(tenant, workspaceSchema.parse(tenant.workspace), new Date());
}

export type WorkspaceChange =
  | { kind: "create-project"; name: string }
  | { kind: "invite-teammate"; name: string; email: string }
  | { kind: "set-integration"; integration: IntegrationKey; connected: boolean };

export type ChangeResult =
  { ok: true; message: string } | { ok: false; status: 403 | 409 | 422; message: string; field?: "name" | "email" };

/** API calls a change makes, as the product would count them (a create and its follow-up reads). */
const API_CALLS_PER_CHANGE = 25;

/**
 * Applies a change to the workspace under the tenant's row lock and queues its usage report.
 * Refusals (nothing saved, nothing reported): 409 a suspended or removed workspace, a project name
 * already used, a teammate already invited; 422 beyond the plan's `projects` limit; 403 integrations
 * not in the plan. Connecting what is already connected (a second tab) answers ok and reports nothing.
 * Throws a 404 Response like `demoWorkspace`.
 */
export async function changeDemoWorkspace(
  db: Database,
  subdomain: string,
  viewer: WorkspaceViewer,
  change: WorkspaceChange,
  now = new Date(),
): Promise<ChangeResult> {
  return db.transaction(async (tx) => {
    const tenant = await findTenant(tx, subdomain, true);
    if (!tenant || !(await mayUse(tx, tenant, viewer))) throw new Response("Not found", { status: 404 });
    if (tenant.status !== "active")
      return {
        ok: false,
        status: 409,
        message:
          tenant.status === "suspended"
            ? "This workspace is paused, so nothing can be changed. It opens again when the service resumes."
            : "This workspace was removed, so nothing can be changed.",
      };
    const workspace = workspaceSchema.parse(tenant.workspace);
    const applied = apply(workspace, tenant, viewer, change, now);
    if (!applied.ok || !applied.event) return applied.ok ? { ok: true, message: applied.message } : applied;

    const month = now.toISOString().slice(0, 7);
    const next: Workspace = {
      ...applied.workspace,
      apiCalls: { month, count: apiCallsThisMonth(workspace, now) + API_CALLS_PER_CHANGE },
    };
    await tx
      .update(demoTenants)
      .set({ workspace: next, updatedAt: sql`now()` })
      .where(eq(demoTenants.instanceId, tenant.instanceId));
    const report: UsageReport = {
      instanceId: tenant.instanceId,
      changeId: randomUUID(),
      timestamp: now.toISOString(),
      user: { id: viewer.userId, name: viewer.name, email: viewer.email },
      event: applied.event.name,
      properties: applied.event.properties,
      traits: {
        name: tenant.accountName,
        projects: next.projects.length,
        storage_gb: storageGb(next),
        api_calls: next.apiCalls!.count,
      },
    };
    await addJob(tx, DEMO_USAGE_REPORT_TASK, report, { maxAttempts: REPORT_MAX_ATTEMPTS });
    return { ok: true, message: applied.message };
  });
}

type Applied =
  | { ok: true; message: string; workspace: Workspace; event: { name: string; properties: Record<string, unknown> } }
  | { ok: true; message: string; event: null }
  | Extract<ChangeResult, { ok: false }>;

function apply(
  workspace: Workspace,
  tenant: TenantRow,
  viewer: WorkspaceViewer,
  change: WorkspaceChange,
  now: Date,
): Applied {
  const at = now.toISOString();
  switch (change.kind) {
    case "create-project": {
      const limit = limitOf(tenant.limits, "projects");
      if (limit !== null && workspace.projects.length >= limit)
        return {
          ok: false,
          status: 422,
          field: "name",
          message: `Your ${tenant.planName} plan includes ${limit} projects and this workspace has them all. Upgrade the plan in the portal to create more.`,
        };
      const name = change.name;
      if (workspace.projects.some((p) => p.name.toLowerCase() === name.toLowerCase()))
        return { ok: false, status: 409, field: "name", message: `There is already a project called “${name}”.` };
      const project = { id: randomUUID(), name, createdAt: at, createdBy: viewer.name, storageMb: sizeOf(name) };
      return {
        ok: true,
        message: `Project “${name}” created.`,
        workspace: { ...workspace, projects: [...workspace.projects, project] },
        event: { name: "Project Created", properties: { project_id: project.id, name } },
      };
    }
    case "invite-teammate": {
      const email = change.email.toLowerCase();
      if (workspace.teammates.some((t) => t.email === email))
        return { ok: false, status: 409, field: "email", message: `${email} is already on the team.` };
      const teammate = { id: randomUUID(), name: change.name, email, invitedAt: at, invitedBy: viewer.name };
      return {
        ok: true,
        message: `${change.name} was added to the team. (This is the demo product: no email is sent.)`,
        workspace: { ...workspace, teammates: [...workspace.teammates, teammate] },
        event: { name: "Teammate Invited", properties: { teammate_id: teammate.id } },
      };
    }
    case "set-integration": {
      const label = INTEGRATIONS[change.integration];
      if (!tenant.features.includes("integrations"))
        return { ok: false, status: 403, message: `Your ${tenant.planName} plan does not include integrations.` };
      if ((workspace.integrations[change.integration]?.connected ?? false) === change.connected)
        return {
          ok: true,
          message: `${label} is already ${change.connected ? "connected" : "disconnected"}.`,
          event: null,
        };
      return {
        ok: true,
        message: `${label} ${change.connected ? "connected" : "disconnected"}.`,
        workspace: {
          ...workspace,
          integrations: {
            ...workspace.integrations,
            [change.integration]: { connected: change.connected, changedAt: at },
          },
        },
        event: {
          name: change.connected ? "Integration Connected" : "Integration Disconnected",
          properties: { integration: change.integration },
        },
      };
    }
  }
}

/** A plausible, stable size for a new project's files (40–440 MB), from its name. */
function sizeOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 40 + (hash % 401);
}
