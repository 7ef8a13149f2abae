import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isDriverConnectionFault } from "./unavailable";

describe("a library's fault while it loses the database", () => {
  it("is graphile-worker failing to hand back a released local queue's jobs because the database is away", () => {
    const returning = (cause: string) =>
      new Error(`Error occurred whilst returning jobs from local queue to database queue: ${cause}`);
    // Seen when PostgreSQL was killed under load (issue 12): it reached the process as an unhandled rejection.
    expect(isDriverConnectionFault(returning("connect ECONNREFUSED 127.0.0.1:44955"))).toBe(true);
    expect(isDriverConnectionFault(returning("terminating connection due to administrator command"))).toBe(true);
    expect(isDriverConnectionFault(returning("Connection terminated unexpectedly"))).toBe(true);
    // The same failure for another reason is a bug, and stops the process.
    expect(isDriverConnectionFault(returning('relation "jobs" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(returning("connect ECONNREFUSED 127.0.0.1:44955"))).toBe(false);
  });
});
