import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { startPortal, type PortalProcess } from "../../server/portal-process";

// These tests stop databases and change the catalog, so each runs its own portal.
test.describe.configure({ mode: "serial", timeout: 120_000 });

let portal: PortalProcess;
test.beforeEach(async () => {
  portal = await startPortal();
});
test.afterEach(async () => {
  await portal?.stop();
});

test("a catalog change shows on the cached pricing page at once", async ({ page }) => {
  await page.goto(`${portal.url}/pricing`);
  await expect(page.getByTestId("price-team-month").getByTestId("price-amount")).toHaveText("$24");

  const sql = postgres(await portal.databaseUrl(), { max: 1 });
  try {
    await sql`update prices set unit_amount = 2900 where lookup_key = 'northwind-projects.team.month.usd'`;
  } finally {
    await sql.end();
  }
  await expect(async () => {
    await page.goto(`${portal.url}/pricing`);
    await expect(page.getByTestId("price-team-month").getByTestId("price-amount")).toHaveText("$29", { timeout: 100 });
  }).toPass({ timeout: 5_000 });
});

test("healthz reports a stopped database with 503 and names it", async ({ request }) => {
  const healthy = await request.get(`${portal.url}/healthz`);
  expect(healthy.status()).toBe(200);
  expect(await healthy.json()).toEqual({ status: "ok", db: "ok" });

  process.kill(await portal.postgresPid(), "SIGINT");
  await expect(async () => {
    const response = await request.get(`${portal.url}/healthz`);
    expect(response.status()).toBe(503);
    expect(await response.json()).toEqual({ status: "error", db: "down" });
  }).toPass({ timeout: 15_000 });
});
