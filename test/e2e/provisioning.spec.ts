import { expect, test } from "@playwright/test";
import {
  clientAddress,
  demoStaffLogin,
  logIn,
  signUpAndVerify,
  staffOnWaitingSetup,
  uniqueEmail,
  waitForEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const password = "a long enough password";

test("a trial of an automatic plan is set up and shows its access details without a reload", async ({ page }) => {
  const person = { name: "Tia", email: uniqueEmail("tia"), password, company: "Tia Works" };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  // A second tab, opened before the trial starts, still shows the button.
  const secondTab = await page.context().newPage();
  await secondTab.goto("/plans/starter");
  await page.goto("/plans/team");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByText("Your free trial has started")).toBeVisible();
  const service = page.getByTestId("service-request").filter({ hasText: "Set up: Team" });
  await expect(service.getByTestId("request-status")).toHaveText("Ready", { timeout: 10_000 });
  await expect(service.getByTestId("access-details")).toContainText(
    /http:\/\/localhost:\d+\/demo\/tia-works-[0-9a-f]{8}/,
  );

  // One trial per organisation: the second tab's submit is refused with a sentence, and the plan page
  // now says why instead of offering the trial.
  await secondTab.getByRole("button", { name: "Start free trial" }).click();
  await expect(secondTab.getByTestId("trial-refusal")).toHaveText(
    /^Your organisation's Team trial is running until \d+ \w+ \d{4}; there can be one trial at a time\.$/,
  );
  await page.goto("/plans/starter");
  await expect(page.getByTestId("trial-unavailable")).toContainText("Team trial is running until");
  await expect(page.getByRole("button", { name: "Start free trial" })).toHaveCount(0);
});

test("staff claim and complete a manual setup; the customer sees the access details live and gets an email", async ({
  page,
  browser,
}) => {
  const person = { name: "Max", email: uniqueEmail("max"), password, company: `Max Manual ${Date.now()}` };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/plans/business");
  await page.getByRole("button", { name: "Start free trial" }).click();
  const service = page.getByTestId("service-request").filter({ hasText: "Set up: Business" });
  await expect(service.getByTestId("request-status")).toHaveText("Waiting for staff", { timeout: 10_000 });
  await expect(service).toContainText("Our team is setting this up for you.");

  const { context: staffContext, staffPage } = await staffOnWaitingSetup(browser, person.company);
  await expect(staffPage.getByRole("heading", { level: 1 })).toHaveText(`Set up Business for ${person.company}`);
  await staffPage.getByRole("button", { name: "Claim" }).click();
  await expect(staffPage.getByText("Claimed by you")).toBeVisible();

  await staffPage.getByLabel("Workspace URL").fill("not a url");
  await staffPage.getByLabel("Administrator sign-in email").fill("admin@max.example");
  await staffPage.getByLabel("Data region").fill("eu-central");
  await staffPage.getByRole("button", { name: "Complete" }).click();
  await expect(staffPage.getByText("Enter a full web address starting with https://")).toBeVisible();
  await staffPage.getByLabel("Workspace URL").fill("https://max.eu.example");
  await staffPage.getByLabel("Administrator sign-in email").fill("admin@max.example");
  await staffPage.getByLabel("Data region").fill("eu-central");
  await staffPage.getByRole("button", { name: "Complete" }).click();
  await expect(staffPage.getByTestId("request-status")).toHaveText("Ready");
  await expect(staffPage.getByTestId("timeline")).toContainText(`claimed by Demo Staff`);
  await expect(staffPage.getByTestId("timeline")).toContainText(`completed by Demo Staff`);
  await staffContext.close();

  // The customer's page, still open, updates by itself.
  await expect(service.getByTestId("request-status")).toHaveText("Ready", { timeout: 5_000 });
  await expect(service.getByTestId("access-details")).toContainText("https://max.eu.example");
  const mail = await waitForEmail(person.email, /Business service is ready/);
  expect(mail.text).toContain("https://max.eu.example");
});

test("a trial's life: ready, reminded, expired and suspended, extended by staff and resumed — with time moved by the test", async ({
  page,
  browser,
}) => {
  const company = `Trial Life ${Date.now()}`;
  const person = { name: "Lia", email: uniqueEmail("lia"), password, company };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByTestId("trial-status")).toContainText("14 days left");
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Set up: Starter" }).getByTestId("request-status"),
  ).toHaveText("Ready", { timeout: 10_000 });

  // Two days before the end, the sweep sends the reminder.
  const moveTrialEnd = (interval: string) =>
    withDatabase(async (sql) => {
      await sql`update trials set ends_at = now() + ${interval}::interval where account_id = (select id from organisations where name = ${company})`;
      await sql`select graphile_worker.add_job('trials_sweep')`;
    });
  await moveTrialEnd("2 days");
  await waitForEmail(person.email, /Starter trial ends in 2 days/);

  // Past the end: the trial expires and its workspace is suspended.
  await moveTrialEnd("-1 minute");
  await waitForEmail(person.email, /Starter trial has ended/);
  await page.reload();
  await expect(page.getByTestId("trial-status")).toContainText("Your trial has ended");
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Paused: Starter" }).getByTestId("request-status"),
  ).toHaveText("Paused", { timeout: 10_000 });

  // Staff give another week; the workspace resumes.
  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await staffContext.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.goto("/staff/trials");
  const row = staffPage.getByTestId("trial-row").filter({ hasText: company });
  await row.getByLabel("Days").fill("7");
  await row.getByLabel("Reason").fill("Pilot needs another week");
  await row.getByRole("button", { name: /Extend/ }).click();
  await expect(staffPage.getByTestId("trial-row").filter({ hasText: company })).toContainText("extended 1×");
  await staffContext.close();

  await page.reload();
  await expect(page.getByTestId("trial-status")).toContainText("7 days left");
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Running again: Starter" }).getByTestId("request-status"),
  ).toHaveText("Running", { timeout: 10_000 });
  const tenant = await withDatabase(
    (sql) =>
      sql<
        { status: string }[]
      >`select t.status from demo_tenants t join service_instances i on i.id = t.instance_id join organisations o on o.id = i.account_id where o.name = ${company}`,
  );
  expect(tenant).toEqual([{ status: "active" }]);
});
