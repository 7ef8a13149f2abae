/**
 * Issue 12: once PostgreSQL is back after a restart, the portal's pools use it again within a
 * second or two, however many failed connects the outage cost (postgres.js's own backoff waited up
 * to 20 s more). Runs its own embedded server, restarted by the launcher's supervisor as in `npm start`.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDb, type DbHandle } from "../../db/client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../db/embedded";

let dir: string;
let server: EmbeddedPostgres;
let database: DbHandle;
beforeAll(async () => {
  dir = await mkdtemp(path.join(process.env.DATA_DIR ?? tmpdir(), "portal-reconnect-"));
  server = await startEmbeddedPostgres({ dir, durable: false });
  database = connectDb(server.url(), { max: 6 });
}, 60_000);
afterAll(async () => {
  await database?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a pool after a PostgreSQL restart", () => {
  it("answers on every connection within 2 s of the server's return", async () => {
    // Six lanes keep every connection of the pool busy, as page load does.
    let running = true;
    const lastAnswer = Array.from({ length: 6 }, () => 0);
    const lanes = lastAnswer.map(async (_, lane) => {
      while (running) {
        const answered = await database.sql`select 1`.then(
          () => true,
          () => false,
        );
        if (answered) lastAnswer[lane] = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    try {
      await expect.poll(() => Math.min(...lastAnswer), { timeout: 5_000 }).toBeGreaterThan(0);
      const postmaster = path.join(server.dataDir, "postmaster.pid");
      const pidOf = async () => Number((await readFile(postmaster, "utf8")).split("\n")[0]);
      const before = await pidOf();
      process.kill(before, "SIGINT");
      await expect.poll(() => pidOf().catch(() => before), { timeout: 15_000, interval: 20 }).not.toBe(before);
      const backAt = performance.now();

      await expect.poll(() => Math.min(...lastAnswer) > backAt, { timeout: 2_000, interval: 20 }).toBe(true);
    } finally {
      running = false;
      await Promise.all(lanes);
    }
  }, 30_000);
});
