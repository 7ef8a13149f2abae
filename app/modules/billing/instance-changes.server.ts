import type { DbOrTx } from "#db/client";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { loadPlanPolicy, snapshotOf } from "~/modules/catalog/plan-policy.server";
import { enqueueProvisioning, type Operation } from "../../../provisioning";

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
