import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToEnd, startPortalCommand } from "./run";

let dataDir: string;
/** As README runs them: no settings but a data folder of their own (the embedded PostgreSQL, the Stripe emulator). */
const run = (command: string) =>
  runToEnd(command, {
    env: { DATA_DIR: dataDir, DATABASE_URL: "", STRIPE_SECRET_KEY: "", LOG_LEVEL: "warn", NODE_ENV: "production" },
  });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "portal-commands-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("README's database and catalog commands", () => {
  it("npm run db:generate finds the migrations in step with the schema", async () => {
    const before = await readdir("db/migrations", { recursive: true });
    const generate = await run("npm run db:generate");
    expect(generate.code, generate.output).toBe(0);
    expect(generate.output).toContain("No schema changes");
    expect(await readdir("db/migrations", { recursive: true })).toEqual(before);
  });

  it("npm run db:migrate, npm run db:seed, npm run demo:history twice, npm run catalog:sync twice, npm run metrics:backfill and npm run staff:create work on a new data folder", async () => {
    const migrate = await run("npm run db:migrate");
    expect(migrate.code, migrate.output).toBe(0);
    expect(migrate.output).toContain("Migrations applied.");

    const seed = await run("npm run db:seed");
    expect(seed.code, seed.output).toBe(0);
    expect(seed.output).toContain("Demo catalog seeded.");

    const history = await run("npm run demo:history -- --accounts 5");
    expect(history.code, history.output).toBe(0);
    expect(history.output).toMatch(/Demo history \(seed demo, 5 accounts\) loaded in [\d.]+ s/);
    expect(history.output).toContain("organisations: 5 (5 added)");
    const historyAgain = await run("npm run demo:history -- --accounts 5");
    expect(historyAgain.output).toContain("organisations: 5 (0 added)");
    const badArgs = await run("npm run demo:history -- --accounts many");
    expect(badArgs.code).toBe(2);
    expect(badArgs.output).toContain("--accounts must be a whole number");

    const sync = await run("npm run catalog:sync");
    expect(sync.code, sync.output).toBe(0);
    const again = await run("npm run catalog:sync");
    expect(again.code, again.output).toBe(0);
    const counts = JSON.parse(again.output.match(/Stripe emulator: (\{.*\})/)?.[1] ?? "null") as Record<string, number>;
    expect(Object.entries(counts).filter(([kind, count]) => !/unchanged/i.test(kind) && count > 0)).toEqual([]);

    // The demo history wrote its ledger: nothing to backfill, every account's months rebuilt.
    const backfill = await run("npm run metrics:backfill");
    expect(backfill.code, backfill.output).toBe(0);
    expect(backfill.output).toContain("Ledger backfill: 0 subscriptions (0 rows).");
    expect(backfill.output).toMatch(/Metrics rebuilt: \d+ accounts, \d+ account-months\./);

    const staff = await run('npm run staff:create -- --email ops@example.com --name "Olive Ops" --role admin');
    expect(staff.code, staff.output).toBe(0);
    expect(staff.output).toMatch(/ops@example\.com/);
  });

  it("every database command works while `npm start` runs on the same data folder, and the portal keeps running", async () => {
    const shared = await mkdtemp(path.join(tmpdir(), "portal-running-"));
    const portal = await startPortalCommand("npm start", { dataDir: shared });
    try {
      const env = { DATA_DIR: shared, DATABASE_URL: "", STRIPE_SECRET_KEY: "", LOG_LEVEL: "warn" };
      for (const command of [
        'npm run staff:create -- --email night@example.com --name "Night Shift"',
        "npm run db:migrate",
        "npm run db:seed",
        "npm run catalog:sync",
      ]) {
        const result = await runToEnd(command, { env });
        expect(result.code, `${command}:\n${result.output}`).toBe(0);
      }
      // catalog:sync used the portal's emulator: one of its own would have removed this file when it stopped.
      expect(existsSync(path.join(shared, "stripe-emulator.url"))).toBe(true);
      expect((await fetch(`${portal.url}/healthz`)).status).toBe(200);
      const login = await fetch(`${portal.url}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: portal.url },
        body: new URLSearchParams({ email: "night@example.com", password: "wrong password 123" }),
        redirect: "manual",
      });
      expect(login.status).toBe(400);
    } finally {
      const stopped = await portal.stop("SIGTERM");
      expect(stopped.code === 0 || stopped.signal === "SIGTERM", stopped.output).toBe(true);
      await rm(shared, { recursive: true, force: true });
    }
  });

  it("a command that cannot start its database says why in a sentence, without a stack trace", async () => {
    const failed = await runToEnd("npm run db:migrate", { env: { DATA_DIR: "/dev/null/data", DATABASE_URL: "" } });
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain("The data folder /dev/null/data cannot be used");
    expect(failed.output).not.toMatch(/^\s+at /m);
  });
});
