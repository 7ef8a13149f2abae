import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, statuses, TransitionError, type Status } from "./state-machine";

const allowed: [Status, Status][] = [
  ["queued", "queued"],
  ["queued", "running"],
  ["queued", "cancelled"],
  ["running", "running"],
  ["running", "succeeded"],
  ["running", "queued"],
  ["running", "waiting_staff"],
  ["running", "waiting_customer"],
  ["running", "failed"],
  ["running", "cancelled"],
  ["waiting_staff", "succeeded"],
  ["waiting_staff", "queued"],
  ["waiting_staff", "failed"],
  ["waiting_staff", "cancelled"],
  ["waiting_customer", "queued"],
  ["waiting_customer", "cancelled"],
  ["failed", "queued"],
  ["failed", "cancelled"],
];

describe("the provisioning state machine", () => {
  it("allows exactly the listed transitions and forbids every other pair", () => {
    for (const from of statuses) {
      for (const to of statuses) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it("names both ends of a forbidden transition", () => {
    expect(() => assertTransition("succeeded", "queued")).toThrow(TransitionError);
    expect(() => assertTransition("cancelled", "running")).toThrow("A cancelled request cannot become running");
    expect(() => assertTransition("queued", "succeeded")).toThrow("A queued request cannot become succeeded");
  });
});
