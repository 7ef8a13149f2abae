import { and, desc, eq, notInArray } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { provisioningRequests } from "#db/schema";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { loadPlanPolicy, snapshotOf } from "~/modules/catalog/plan-policy.server";
import { enqueueProvisioning, type Operation } from "../../../provisioning";
import type { ProvisionedService } from "./subscription-work";

/**
 * Asks the plan's provisioner to change a paid instance: new plan or seats, suspend, resume or
 * deprovision. `key` is the request's idempotency key, so asking twice enqueues one request.
 * Throws when the plan is no longer in the active catalog.
 */
export async function requestInstanceChange(
  tx: DbOrTx,
  change: { accountId: string; instanceId: string; planSlug: string; seats: number; operation: Operation; key: string },
): Promise<void> {
  const catalog = await requireCatalog(tx);
  const plan = catalog.plans.find((p) => p.slug === change.planSlug);
  const policy = await loadPlanPolicy(tx, catalog.product.slug, change.planSlug);
  if (!plan || !policy) throw new Error(`Plan ${change.planSlug} is gone`);
  await enqueueProvisioning(tx, {
    accountId: change.accountId,
    instanceId: change.instanceId,
    operation: change.operation,
    snapshot: snapshotOf(catalog, plan, change.seats, null),
    provisioner: policy.provisioner,
    config: policy.config,
    idempotencyKey: change.key,
    actor: { type: "system", id: null },
  });
}

const SETS_UP = new Set<Operation>(["provision", "modify"]);

/**
 * What the instance was last asked to be, from its provisioning requests that did not fail and
 * were not cancelled (a failed one is staff's to retry, not something to pile onto), newest
 * first: its state from the last operation, its plan and users from the last `provision` or
 * `modify` (a suspend or resume changes neither). `requestId` is that last request, so a repair
 * can be keyed by the state it starts from. Null when nothing was ever asked successfully.
 */
export async function provisionedService(
  tx: DbOrTx,
  instanceId: string,
): Promise<(ProvisionedService & { requestId: string }) | null> {
  const requests = await tx
    .select({
      id: provisioningRequests.id,
      operation: provisioningRequests.operation,
      snapshot: provisioningRequests.snapshot,
    })
    .from(provisioningRequests)
    .where(
      and(
        eq(provisioningRequests.instanceId, instanceId),
        notInArray(provisioningRequests.status, ["failed", "cancelled"]),
      ),
    )
    .orderBy(desc(provisioningRequests.createdAt), desc(provisioningRequests.id));
  const last = requests[0];
  const setUp = requests.find((request) => SETS_UP.has(request.operation));
  if (!last || !setUp) return null;
  const state = last.operation === "deprovision" ? "removed" : last.operation === "suspend" ? "suspended" : "serving";
  return { state, planSlug: setUp.snapshot.planSlug, seats: setUp.snapshot.seats, requestId: last.id };
}
