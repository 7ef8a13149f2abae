import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { planChangeBlocker } from "./changeable";

const subscription = (fields: Partial<Stripe.Subscription>) =>
  ({
    status: "active",
    cancel_at_period_end: false,
    cancel_at: null,
    pause_collection: null,
    items: { data: [{ current_period_end: Date.UTC(2026, 11, 29) / 1000 }] },
    ...fields,
  }) as unknown as Stripe.Subscription;

describe("planChangeBlocker", () => {
  it("lets an active or trialing subscription change", () => {
    expect(planChangeBlocker(subscription({}))).toBeNull();
    expect(planChangeBlocker(subscription({ status: "trialing" }))).toBeNull();
  });

  it("says why, in a sentence with what to do, for every other state", () => {
    const blocked: Partial<Stripe.Subscription>[] = [
      { status: "past_due" },
      { status: "unpaid" },
      { status: "paused" },
      { status: "incomplete" },
      { status: "incomplete_expired" },
      { status: "canceled" },
      { cancel_at_period_end: true },
      { cancel_at: Date.UTC(2027, 0, 15) / 1000 },
      { pause_collection: { behavior: "void", resumes_at: null } },
    ];
    for (const fields of blocked)
      expect(planChangeBlocker(subscription(fields)), JSON.stringify(fields)).toMatch(/\.$/);
    expect(planChangeBlocker(subscription({ cancel_at_period_end: true }))).toContain("end on 29 December 2026");
    expect(planChangeBlocker(subscription({ cancel_at: Date.UTC(2027, 0, 15) / 1000 }))).toContain("15 January 2027");
  });
});
