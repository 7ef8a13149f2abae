import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { demoTenants } from "../../db/schema";
import { outcome, type Provisioner, type ProvisioningJob } from "../types";

const statusAfter = {
  provision: "active",
  modify: "active",
  resume: "active",
  suspend: "suspended",
  deprovision: "deleted",
} as const;

/** A readable, unique tenant name: the account's name and a piece of the instance id. */
function subdomainFor(job: ProvisioningJob): string {
  const name =
    job.accountName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 30) || "tenant";
  return `${name}-${(job.instance?.instanceId ?? job.id).slice(0, 8)}`;
}

/** Where the portal serves a demo tenant's workspace (app/routes/demo.$subdomain*.tsx). */
export function demoWorkspaceUrl(appUrl: string, subdomain: string): string {
  return `${appUrl.replace(/\/+$/, "")}/demo/${subdomain}`;
}

/**
 * Sets up a demo tenant inside the portal's own database, so the zero-setup demo shows real
 * results: its workspace is served by the portal at `${appUrl}/demo/<subdomain>`. Keyed by instance:
 * running it twice changes nothing more. A `provision` stores the attempt's ingest key in the tenant,
 * which plays the vendor's product and reports its usage with it (issue 15).
 */
export function createDemoProvisioner(db: DbOrTx, appUrl: string): Provisioner {
  return {
    key: "demo",
    mode: "automatic",
    async execute(job) {
      const instanceId = job.instance?.instanceId;
      if (!instanceId) return outcome.fail("The request names no instance");
      const subdomain = subdomainFor(job);
      const status = statusAfter[job.operation];
      const [tenant] = await db
        .insert(demoTenants)
        .values({
          instanceId,
          subdomain,
          planSlug: job.snapshot.planSlug,
          limits: job.snapshot.limits,
          seats: job.snapshot.seats,
          status,
          ingestKey: job.ingestKey,
        })
        .onConflictDoUpdate({
          target: demoTenants.instanceId,
          set:
            job.operation === "modify" || job.operation === "provision"
              ? {
                  planSlug: job.snapshot.planSlug,
                  limits: job.snapshot.limits,
                  seats: job.snapshot.seats,
                  status,
                  // A modify keeps the tenant's key; a provision's attempt brings a fresh one.
                  ...(job.operation === "provision" && job.ingestKey ? { ingestKey: job.ingestKey } : {}),
                  updatedAt: sql`now()`,
                }
              : { status, updatedAt: sql`now()` },
        })
        .returning({ subdomain: demoTenants.subdomain });
      return outcome.done({
        workspace_url: demoWorkspaceUrl(appUrl, tenant!.subdomain),
        plan: job.snapshot.planName,
        seats: String(job.snapshot.seats),
      });
    },
  };
}
