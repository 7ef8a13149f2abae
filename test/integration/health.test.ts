import getPort from "get-port";
import { describe, expect, it } from "vitest";
import { checkHealth } from "../../app/lib/health.server";
import { connectDb } from "../../db/client";
import { createTestDatabase, dropTestDatabase } from "../support/database";

describe("checkHealth", () => {
  it("reports ok while the database answers", async () => {
    const database = await createTestDatabase({ empty: true });
    try {
      expect(await checkHealth(database.db)).toEqual({ status: "ok", db: "ok" });
    } finally {
      await dropTestDatabase(database);
    }
  });

  it("names the database as down when nothing listens, within its timeout", async () => {
    const port = await getPort({ host: "127.0.0.1" });
    const unreachable = connectDb(`postgres://postgres:x@127.0.0.1:${port}/postgres`, { max: 1 });
    const started = Date.now();
    try {
      expect(await checkHealth(unreachable.db, 1_000)).toEqual({ status: "error", db: "down" });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await unreachable.close();
    }
  });
});
