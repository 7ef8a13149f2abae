import { describe, expect, it } from "vitest";
import { provisioningWorkFor, type BilledService, type ProvisionedService } from "./subscription-work";

const billed = (status: string, planSlug: string | null = "team", seats = 5): BilledService => ({
  status,
  planSlug,
  seats,
});
const provisioned = (state: ProvisionedService["state"], planSlug = "team", seats = 5): ProvisionedService => ({
  state,
  planSlug,
  seats,
});

describe("provisioningWorkFor", () => {
  it("suspends a serving service when payment stops or the subscription ends, once", () => {
    expect(provisioningWorkFor(provisioned("serving"), billed("unpaid"))).toEqual(["suspend"]);
    expect(provisioningWorkFor(provisioned("serving"), billed("paused"))).toEqual(["suspend"]);
    expect(provisioningWorkFor(provisioned("serving"), billed("canceled"))).toEqual(["suspend"]);
    expect(provisioningWorkFor(provisioned("suspended"), billed("canceled"))).toEqual([]);
    expect(provisioningWorkFor(provisioned("suspended"), billed("unpaid", "business", 9))).toEqual([]);
  });

  it("resumes a suspended service that is paid for again, and sets it up as billed", () => {
    expect(provisioningWorkFor(provisioned("suspended"), billed("active"))).toEqual(["resume"]);
    expect(provisioningWorkFor(provisioned("suspended"), billed("active", "starter", 2))).toEqual(["resume", "modify"]);
  });

  it("modifies a serving service whose plan or users differ from what is billed", () => {
    expect(provisioningWorkFor(provisioned("serving"), billed("active", "starter"))).toEqual(["modify"]);
    expect(provisioningWorkFor(provisioned("serving"), billed("trialing", "team", 8))).toEqual(["modify"]);
    expect(provisioningWorkFor(provisioned("serving"), billed("past_due", "team", 3))).toEqual(["modify"]);
  });

  it("asks for nothing when the service is as billed, removed, or the plan is unknown", () => {
    expect(provisioningWorkFor(provisioned("serving"), billed("active"))).toEqual([]);
    expect(provisioningWorkFor(provisioned("serving"), billed("past_due"))).toEqual([]);
    expect(provisioningWorkFor(provisioned("removed"), billed("active", "starter"))).toEqual([]);
    expect(provisioningWorkFor(provisioned("serving"), billed("active", null, 9))).toEqual([]);
    expect(provisioningWorkFor(provisioned("serving"), billed("incomplete"))).toEqual([]);
  });
});
