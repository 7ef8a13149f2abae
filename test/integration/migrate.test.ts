import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connectDb } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createTestDatabase, dropTestDatabase } from "../support/database";

describe("migrateDatabase", () => {
  it("lets several instances start at once: one migrates, the others wait and find it done", async () => {
    const database = await createTestDatabase({ empty: true });
    const others = [connectDb(database.url, { max: 2 }), connectDb(database.url, { max: 2 })];
    try {
      await Promise.all([migrateDatabase(database), ...others.map((other) => migrateDatabase(other))]);
      const applied = await database.sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(applied[0]?.count).toBe(
        readdirSync(new URL("../../db/migrations", import.meta.url)).filter((f) => f.endsWith(".sql")).length,
      );
      const queue =
        await database.sql`select count(*)::int as count from information_schema.routines where routine_schema = 'graphile_worker' and routine_name = 'add_job'`;
      expect(queue[0]?.count).toBeGreaterThan(0);
      const tables =
        await database.sql`select count(*)::int as count from information_schema.tables where table_name in ('products', 'plans', 'prices', 'features', 'plan_features')`;
      expect(tables[0]?.count).toBe(5);
    } finally {
      await Promise.all(others.map((other) => other.close()));
      await dropTestDatabase(database);
    }
  });
});
