import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leads } from "../../db/schema";
import { listLeads } from "../../app/modules/qualification/leads.server";
import { consumeRateLimit, refundRateLimit } from "../../app/lib/rate-limit.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const base = Date.parse("2026-11-01T12:00:00Z");
  // 30 leads, three per day over ten days, alternating verdicts; two share a timestamp.
  await database.db.insert(leads).values(
    Array.from({ length: 30 }, (_, i) => ({
      createdAt: new Date(base + Math.floor(i / 3) * 86_400_000 + (i % 3 === 2 ? 0 : (i % 3) * 1000)),
      answers: { seats: i },
      verdict: i % 2 ? "fits" : "talk_to_us",
      planSlug: i % 2 ? "team" : "enterprise",
      score: i,
      result: {},
    })),
  );
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("listLeads", () => {
  it("pages through every lead once, newest first, by keyset", async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let previous = Infinity;
    do {
      const page = await listLeads(database.db, { cursor }, 7);
      for (const lead of page.leads) {
        expect(lead.createdAt.getTime()).toBeLessThanOrEqual(previous);
        previous = lead.createdAt.getTime();
        seen.push(lead.answers.seats as number);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("filters by verdict, plan and an inclusive date range", async () => {
    const page = await listLeads(database.db, { verdict: "fits", plan: "team", from: "2026-11-02", to: "2026-11-03" });
    expect(page.leads.map((l) => l.answers.seats).sort()).toEqual([3, 5, 7]);
    expect((await listLeads(database.db, { verdict: "fits", plan: "enterprise" })).leads).toEqual([]);
  });

  it("ignores a forged cursor instead of failing", async () => {
    const page = await listLeads(database.db, { cursor: "not-a-cursor" }, 5);
    expect(page.leads).toHaveLength(5);
  });
});

describe("rate limits", () => {
  it("allow the budget, refuse the next attempt with a wait, and give back one attempt at a time", async () => {
    for (let i = 0; i < 5; i += 1)
      expect(await consumeRateLimit(database.db, "loginEmail", "Someone@Example.test")).toEqual({ allowed: true });
    const refused = await consumeRateLimit(database.db, "loginEmail", "someone@example.test");
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(800);
    expect(await consumeRateLimit(database.db, "loginEmail", "other@example.test")).toEqual({ allowed: true });
    // Six spent (the refused one counts too): two given back leave room for exactly one more.
    await refundRateLimit(database.db, "loginEmail", "someone@example.test");
    await refundRateLimit(database.db, "loginEmail", "someone@example.test");
    expect(await consumeRateLimit(database.db, "loginEmail", "someone@example.test")).toEqual({ allowed: true });
    expect(await consumeRateLimit(database.db, "loginEmail", "someone@example.test")).toMatchObject({ allowed: false });
  });
});
