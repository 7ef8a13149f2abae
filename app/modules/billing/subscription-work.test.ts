import { describe, expect, it } from "vitest";
import { provisioningWorkFor, type SubscriptionState } from "./subscription-work";

const state = (status: string, stripePriceId = "price_team", quantity = 5): SubscriptionState => ({
  status,
  stripePriceId,
  quantity,
});

describe("provisioningWorkFor", () => {
  it("suspends when payment stops and resumes when it comes back", () => {
    expect(provisioningWorkFor(state("past_due"), state("unpaid"))).toBe("suspend");
    expect(provisioningWorkFor(state("active"), state("paused"))).toBe("suspend");
    expect(provisioningWorkFor(state("unpaid"), state("active"))).toBe("resume");
  });

  it("suspends a canceled subscription once, unless it was already stopped", () => {
    expect(provisioningWorkFor(state("active"), state("canceled"))).toBe("suspend");
    expect(provisioningWorkFor(state("unpaid"), state("canceled"))).toBeNull();
    expect(provisioningWorkFor(state("canceled"), state("canceled"))).toBeNull();
  });

  it("modifies the service for a new plan or seat count while it is served", () => {
    expect(provisioningWorkFor(state("active"), state("active", "price_business"))).toBe("modify");
    expect(provisioningWorkFor(state("trialing"), state("active", "price_team", 8))).toBe("modify");
    expect(provisioningWorkFor(state("unpaid"), state("unpaid", "price_business"))).toBeNull();
  });

  it("does nothing for the first sight of a subscription or a change that does not matter", () => {
    expect(provisioningWorkFor(null, state("active"))).toBeNull();
    expect(provisioningWorkFor(state("active"), state("past_due"))).toBeNull();
    expect(provisioningWorkFor(state("trialing"), state("active"))).toBeNull();
  });
});
