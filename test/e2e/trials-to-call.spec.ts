import { expect, test } from "@playwright/test";
import {
  clientAddress,
  demoStaffLogin,
  logIn,
  newCustomer,
  screenshots,
  severeViolations,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("a trial customer's look at pricing counts, and staff call the trials most ready to buy first", async ({
  page,
  browser,
}) => {
  const customerContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const customer = await customerContext.newPage();
  const person = await newCustomer(customer, "Pql");
  await customer.goto("/plans/team");
  await customer.getByRole("button", { name: "Start free trial" }).click();
  await expect(customer.getByTestId("trial")).toBeVisible();
  // Signed in, the pricing page is rendered for the customer (not served from the page cache), so it is counted.
  await customer.goto("/pricing");
  await expect(customer.getByRole("heading", { name: "Plans and pricing" })).toBeVisible();
  await customerContext.close();

  const accountId = await withDatabase(async (sql) => {
    const [row] = await sql<{ id: string; views: number }[]>`
      select o.id, s.count as views from organisations o
      join account_signals s on s.account_id = o.id and s.kind = 'pricing_viewed'
      where o.name = ${person.company}`;
    expect(row?.views).toBe(1);
    // The score is the health job's to write (scorePql); here it is stored as that job would.
    await sql`update account_success set pql_score = 100,
      pql_reasons = ${sql.json(["4 of 5 milestones reached", "Checked pricing today"])}
      where account_id = ${row!.id}`;
    return row!.id;
  });

  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await page.goto("/staff/trials");
  await screenshots(page, "staff-trials");
  await page.getByRole("link", { name: "Trials to call" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trials to call");
  const row = page.getByTestId("call-row").filter({ hasText: person.company });
  await expect(row.getByTestId("pql-score")).toHaveText("Score 100");
  await expect(row).toContainText("Checked pricing today");
  await expect(row).toContainText("Team");
  await expect(row).toContainText(/\d+ days left/);
  await expect(row.getByRole("link", { name: person.company })).toHaveAttribute("href", `/staff/accounts/${accountId}`);
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "trials-to-call");

  await page.setViewportSize({ width: 1280, height: 900 });
  await row.getByLabel("How").selectOption("emailed");
  await row.getByRole("button", { name: `Mark as contacted about the trial of ${person.company}` }).click();
  await expect(row.getByTestId("contacted")).toHaveText(/^Contacted: emailed by .+ on \d{1,2} [A-Z][a-z]+ \d{4}$/);
  await expect(row.getByRole("button", { name: /Mark as contacted/ })).toHaveCount(0);
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "trials-to-call-contacted");

  const outreach = await withDatabase(
    (sql) => sql`select o.via, o.before_outcome from trial_outreach o join trials t on t.id = o.trial_id
      where t.account_id = ${accountId}`,
  );
  expect(outreach).toEqual([{ via: "emailed", before_outcome: true }]);
});
