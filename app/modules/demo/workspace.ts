/**
 * The demo product's own data, as `demo_tenants.workspace` keeps it (issue 15): projects,
 * teammates and integrations. Read through `workspaceSchema` (zod) every time; written only under
 * the tenant's row lock (workspace.server.ts).
 */
import { z } from "zod";

export const INTEGRATIONS = { slack: "Slack", github: "GitHub" } as const;
export type IntegrationKey = keyof typeof INTEGRATIONS;

const projectSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(80),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  /** What its files take, in MB: the demo's stand-in for real storage. */
  storageMb: z.number().int().nonnegative(),
});

const teammateSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(100),
  email: z.email(),
  invitedAt: z.iso.datetime(),
  invitedBy: z.string(),
});

const integrationSchema = z.object({ connected: z.boolean(), changedAt: z.iso.datetime() });

export const workspaceSchema = z.object({
  projects: z.array(projectSchema).default([]),
  teammates: z.array(teammateSchema).default([]),
  integrations: z.object({ slack: integrationSchema.optional(), github: integrationSchema.optional() }).default({}),
  /** API calls made this calendar month (UTC), "YYYY-MM": the plan's `api_calls` limit counts these. */
  apiCalls: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), count: z.number().int().nonnegative() }).optional(),
});
export type Workspace = z.infer<typeof workspaceSchema>;
export type Project = z.infer<typeof projectSchema>;

/** The workspace's storage in GB, one decimal, from its projects. */
export function storageGb(workspace: Workspace): number {
  return Math.round(workspace.projects.reduce((sum, p) => sum + p.storageMb, 0) / 102.4) / 10;
}

/** API calls so far in `now`'s month (UTC); a workspace last used in an earlier month has made none yet. */
export function apiCallsThisMonth(workspace: Workspace, now: Date): number {
  return workspace.apiCalls?.month === now.toISOString().slice(0, 7) ? workspace.apiCalls.count : 0;
}

/** What a form on a workspace page may ask for; every field checked with a sentence. */
export const projectNameSchema = z
  .string({ error: "Name the project." })
  .trim()
  .min(1, "Name the project.")
  .max(80, "Keep the name under 80 characters.");
export const inviteSchema = z.object({
  name: z
    .string({ error: "Enter their name." })
    .trim()
    .min(1, "Enter their name.")
    .max(100, "Keep the name under 100 characters."),
  email: z.email({ error: "Enter an email address like name@example.com." }),
});
