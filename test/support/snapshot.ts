import type { Snapshot } from "../../provisioning";

/** What was bought, as a provisioning request carries it: Team × 3 of the demo product unless told otherwise. */
export function snapshotOf(fields: Partial<Snapshot> = {}): Snapshot {
  return {
    productSlug: "northwind-projects",
    planSlug: "team",
    planName: "Team",
    seats: 3,
    limits: {},
    features: [],
    trialEndsAt: null,
    ...fields,
  };
}
