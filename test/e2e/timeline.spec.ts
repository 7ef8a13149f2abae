import { expect, test } from "@playwright/test";
import { buyPlan, clientAddress, demoStaffLogin, logIn, newCustomer, withDatabase } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("staff read an account's timeline and filter it by kind", async ({ browser }) => {
  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  const person = await newCustomer(customer, "Tilly");
  await buyPlan(customer, { plan: "starter", seats: 2 });
  await customerContext.close();
  const accountId = await withDatabase(async (sql) => {
    const [row] = await sql<{ id: string }[]>`select id from organisations where name = ${person.company}`;
    // Milestones are written by the rollup (another piece of issue 15); here one is recorded directly.
    await sql`insert into activation_milestones (instance_id, account_id, milestone_key, reached_at)
      select id, account_id, 'first_project', now() from service_instances where account_id = ${row!.id}`;
    return row!.id;
  });

  const page = await browser.newPage();
  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await page.goto(`/staff/accounts/${accountId}`);
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("Milestone reached: Create your first project");
  await expect(timeline).toContainText("Order placed: Starter, 2 users");
  await expect(timeline).toContainText(/Order paid: Starter, 2 users/);
  await expect(timeline).toContainText(/Payment of \$\d+ received for Starter/);
  await expect(timeline).toContainText("Setup of Starter, 2 users");
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.getByRole("heading", { name: "Timeline" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `/work/shots/timeline/account-timeline-${width}.png`, fullPage: true });
  }

  for (const kind of ["Billing", "Setup", "Trial", "Staff action"])
    await page.getByRole("checkbox", { name: kind }).uncheck();
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/\?kind=usage$/);
  await expect(timeline.getByRole("listitem")).toHaveCount(1);
  await expect(timeline).toContainText("Milestone reached: Create your first project (on the first day).");
  await page.screenshot({ path: "/work/shots/timeline/account-timeline-usage-375.png", fullPage: true });
});
