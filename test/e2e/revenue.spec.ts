import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, screenshots, severeViolations, withDatabase } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

/**
 * An account with a ledger of its own, far bigger than any other in the e2e portal's database so it
 * tops every list: paying $9,000 a month from two months ago, $12,000 since last month. Its months
 * are built by the portal's own rollup job, queued as a webhook's ledger row queues it.
 */
async function payingAccount(name: string): Promise<string> {
  return withDatabase(async (sql) => {
    const [org] = await sql<{ id: string }[]>`insert into organisations (name) values (${name}) returning id`;
    const accountId = org!.id;
    const month = (back: number) => sql`date_trunc('month', now()) - ${back} * interval '1 month' + interval '3 days'`;
    for (const [back, before, after, change] of [
      [2, 0, 900_000, "created"],
      [1, 900_000, 1_200_000, "users"],
    ] as const)
      await sql`insert into subscription_ledger (subscription_id, account_id, change, occurred_at, mrr_before_minor,
          mrr_after_minor, currency, reporting_before_minor, reporting_after_minor, reporting_currency, quantity, status)
        values (${`sub_e2e_${accountId}`}, ${accountId}, ${change}, ${month(back)}, ${before}, ${after}, 'usd',
          ${before}, ${after}, 'usd', 40, 'active')`;
    await sql`select graphile_worker.add_job('metrics_rollup_account', json_build_object('accountId', ${accountId}::text),
      queue_name := 'metrics', job_key := ${`metrics_rollup_account:${accountId}`})`;
    await expect(async () => {
      const months = await sql`select 1 from mrr_account_months where account_id = ${accountId}`;
      expect(months.length, "the rollup job has built the account's months").toBeGreaterThanOrEqual(3);
    }).toPass({ timeout: 20_000 });
    return accountId;
  });
}

test("a staff admin reads revenue, opens the accounts behind a figure, the cohorts, the funnel and plans backwards", async ({
  page,
}) => {
  const name = `Revenue Giant ${Date.now()}`;
  await payingAccount(name);
  const admin = demoStaffLogin();
  await logIn(page, admin.email, admin.password);
  await page.goto("/staff");
  await page.getByRole("link", { name: "Revenue", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Revenue", level: 1 })).toBeVisible();
  await expect(page.getByRole("img", { name: /^MRR in US dollars/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "MRR bridge by month (US dollars)" })).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "revenue");

  // The bridge's CSV is the table's rows, as plain decimals.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).first().click();
  const csv = await readFile(await (await download).path(), "utf8");
  expect(csv.replace(/^\uFEFF/, "").split("\n")[0]).toBe(
    "Month,MRR at start,New,Reactivation,Expansion,Contraction,Churn,MRR at end",
  );

  // The headline MRR opens the customers paying this month, biggest first; one opens its account.
  await page
    .getByRole("link", { name: /^\$[\d,]+/ })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: /^Customers paying at the end of/ })).toBeVisible();
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

  await page.goto("/staff/metrics/cohorts");
  await expect(page.getByRole("heading", { name: "Cohorts", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Show MRR kept instead" }).click();
  await expect(page.getByText("Showing MRR kept.")).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "revenue-cohorts");

  await page.getByRole("link", { name: "Funnel", exact: true }).click();
  await expect(page.getByRole("table", { name: "Trial to paid conversion by the month trials started" })).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "revenue-funnel");

  await page.getByRole("link", { name: "Plan", exact: true }).click();
  await page.getByLabel("MRR goal (US dollars)").fill("lots");
  await page.getByRole("button", { name: "Work back from the goal" }).click();
  await expect(page.getByText("Enter the MRR goal as a number, like $12,500.")).toBeVisible();
  await page.getByLabel("MRR goal (US dollars)").fill("$250,000");
  await page.getByRole("button", { name: "Work back from the goal" }).click();
  await expect(page.getByRole("heading", { name: /^\$250,000 MRR by the end of/ })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Leads a month" })).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "revenue-plan");
});

test("staff who are not admins see no revenue pages", async ({ page }) => {
  const admin = demoStaffLogin();
  const email = `plain-revenue-${Date.now()}@example.com`;
  await withDatabase(
    (sql) => sql`insert into users (email, name, password_hash, email_verified_at, staff_role)
      select ${email}, 'Plain Staff', password_hash, now(), 'staff' from users where email = ${admin.email}`,
  );
  await logIn(page, email, admin.password);
  await page.goto("/staff");
  await expect(page.getByRole("link", { name: "Revenue", exact: true })).toHaveCount(0);
  for (const path of [
    "/staff/metrics",
    "/staff/metrics/cohorts",
    "/staff/metrics/plan",
    "/staff/metrics.csv?table=bridge",
  ])
    expect((await page.goto(path))?.status(), path).toBe(404);
});
