import type { Operation } from "../../../provisioning";

/** What Stripe bills: the subscription's status, and its plan (null when the price maps to none) and users. */
export type BilledService = { status: string; planSlug: string | null; seats: number };
/**
 * What the service instance was last asked to be by a request that has not failed or been
 * cancelled (queued requests count: the account's queue runs them in order): serving, suspended
 * or removed, with the plan and users of its last `provision` or `modify`.
 */
export type ProvisionedService = { state: "serving" | "suspended" | "removed"; planSlug: string; seats: number };

const SERVING = new Set(["active", "trialing", "past_due"]);
const STOPPED = new Set(["unpaid", "paused", "canceled"]);

/** Whether the subscription pays for a running service (Stripe's retries keep it running while past due). */
export function isServing(status: string): boolean {
  return SERVING.has(status);
}

/**
 * The provisioning operations, in order, that make the service what Stripe bills: a stopped
 * subscription (unpaid, paused, canceled) is suspended; a serving one is resumed if suspended,
 * then modified if its plan or users differ. A removed service, an unknown plan or a status that
 * pays for nothing yet (`incomplete`) asks for nothing. Comparing with what was provisioned, not
 * with the previous mirror, makes the answer the same whatever order the events came in.
 */
export function provisioningWorkFor(provisioned: ProvisionedService, billed: BilledService): Operation[] {
  if (provisioned.state === "removed") return [];
  if (STOPPED.has(billed.status)) return provisioned.state === "serving" ? ["suspend"] : [];
  if (!SERVING.has(billed.status)) return [];
  const work: Operation[] = provisioned.state === "suspended" ? ["resume"] : [];
  if (billed.planSlug && (billed.planSlug !== provisioned.planSlug || billed.seats !== provisioned.seats))
    work.push("modify");
  return work;
}
