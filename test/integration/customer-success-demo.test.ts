import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshAllAccounts } from "../../app/modules/success/refresh.server";
import { loadDemoHistory } from "../../server/demo-history/load";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoHistory(database, { accounts: 40, seed: "health", appUrl: "http://localhost:3000" });
}, 120_000);
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("the health job on demo history", () => {
  it("scores every organisation, snapshots those in service, and a second run the same day adds nothing", async () => {
    const now = new Date();
    const [{ organisations }] =
      (await database.sql`select count(*)::int as organisations from organisations`) as unknown as [
        { organisations: number },
      ];
    expect(await refreshAllAccounts(database.db, now)).toEqual({ accounts: organisations });
    const rows = await database.sql<{ stage: string; scored: number; unscored: number; computed: number }[]>`
      select stage, count(*) filter (where health_score is not null)::int as scored,
             count(*) filter (where health_score is null)::int as unscored,
             count(*) filter (where computed_at = ${now.toISOString()}::timestamptz)::int as computed
        from account_success group by stage order by stage`;
    expect(rows.reduce((sum, row) => sum + row.computed, 0)).toBe(organisations);
    const byStage = Object.fromEntries(rows.map((row) => [row.stage, row]));
    // Demo history has paying customers, churned ones and trials: each lands in its stage.
    expect(Object.keys(byStage).length).toBeGreaterThanOrEqual(3);
    for (const stage of ["onboarding", "adopted", "at_risk", "trial"])
      if (byStage[stage]) expect(byStage[stage].unscored, stage).toBe(0);
    for (const stage of ["prospect", "churned"]) if (byStage[stage]) expect(byStage[stage].scored, stage).toBe(0);
    const [snapshots] = await database.sql<{ count: number; bad: number }[]>`
      select count(*)::int as count,
             count(*) filter (where score not between 0 and 100 or jsonb_array_length(measures) <> 8)::int as bad
        from health_snapshots where day = ${now.toISOString().slice(0, 10)}::date`;
    const scored = rows.reduce((sum, row) => sum + row.scored, 0);
    expect(snapshots).toEqual({ count: scored, bad: 0 });
    expect(scored).toBeGreaterThan(0);
    await refreshAllAccounts(database.db, new Date(now.getTime() + 1000));
    const [again] = await database.sql<{ count: number }[]>`
      select count(*)::int as count from health_snapshots where day = ${now.toISOString().slice(0, 10)}::date`;
    expect(again!.count).toBe(scored);
  });
});
