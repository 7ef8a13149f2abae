import { expect, test, type Page } from "@playwright/test";
import {
  advanceStripeClock,
  buyPlan,
  clientAddress,
  demoStaffLogin,
  logIn,
  newCustomer,
  waitForEmail,
  withDatabase,
} from "../support/e2e";

// Moving Stripe's clock moves it for every subscription: these run one at a time, after the rest (playwright.config.ts).
test.use({ extraHTTPHeaders: clientAddress() });

const DAY = 1;

async function subscriptionOf(company: string) {
  const [row] = await withDatabase(
    (sql) => sql<{ status: string; quantity: number; instance: string | null }[]>`
      select s.status, s.quantity, i.status as instance
      from subscriptions s join organisations o on o.id = s.account_id left join service_instances i on i.id = s.instance_id
      where o.name = ${company}`,
  );
  return row ?? null;
}

async function finishedOperations(company: string) {
  const rows = await withDatabase(
    (sql) => sql<{ operation: string }[]>`
      select r.operation from provisioning_requests r join organisations o on o.id = r.account_id
      where o.name = ${company} and r.status = 'succeeded' order by r.created_at, r.id`,
  );
  return rows.map((row) => row.operation);
}

/** From the billing page to Stripe's Billing Portal. */
async function openBillingPortal(page: Page) {
  await page.goto("/account/billing");
  await page.getByRole("button", { name: "Cards, invoices and cancellation" }).click();
  await expect(page.getByRole("heading", { name: "Payment method" })).toBeVisible();
}

async function updateCardInPortal(page: Page, number: string) {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Update payment method" }).click();
  await expect(page.getByText(`•••• ${number.replace(/\s/g, "").slice(-4)}`)).toBeVisible();
}

async function returnToPortal(page: Page) {
  await page.getByRole("link", { name: /^Return to/ }).click();
  await expect(page).toHaveURL(/\/account\/billing$/);
}

test("renewal fails → past-due email → unpaid → suspended → card updated in the portal → paid → resumed", async ({
  page,
  browser,
}) => {
  const person = await newCustomer(page, "Dana");
  await buyPlan(page, { plan: "starter", seats: 2 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });

  // A card that attaches but whose charges fail.
  await openBillingPortal(page);
  await updateCardInPortal(page, "4000 0000 0000 0341");
  await returnToPortal(page);

  await advanceStripeClock(31 * DAY);
  const mail = await waitForEmail(person.email, /We could not take your Starter payment/);
  expect(mail.text).toContain("/account/billing");
  await expect.poll(() => subscriptionOf(person.company)).toMatchObject({ status: "past_due", instance: "active" });
  await page.reload();
  await expect(page.getByTestId("subscription-status")).toContainText("Payment failed: we are retrying");
  await expect(page.getByRole("alert")).toContainText("Your last payment did not go through.");
  await page.goto("/account");
  await expect(page.getByRole("alert")).toContainText("Your last payment did not go through.");
  // Staff see it among the accounts that need attention.
  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await staffContext.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.goto("/staff");
  await expect(
    staffPage.getByTestId("attention").getByRole("listitem").filter({ hasText: person.company }),
  ).toContainText("payment failed, retrying");
  await staffContext.close();

  // Every retry fails: the subscription becomes unpaid and the service is suspended.
  await advanceStripeClock(8 * DAY);
  await expect
    .poll(() => subscriptionOf(person.company), { timeout: 15_000 })
    .toMatchObject({ status: "unpaid", instance: "suspended" });
  await page.goto("/account/billing");
  await expect(page.getByTestId("subscription-status")).toContainText("Paused: payment needed");

  // The overview says the service is paused, since when, and what to do; the history reads as events;
  // the owner is told by email.
  await waitForEmail(person.email, /Your Starter service is paused/);
  await page.goto("/account");
  const paused = page.getByTestId("service-paused");
  await expect(paused).toContainText(/Your Starter service is paused since \d+ \w+ \d{4}(,| at) \d\d:\d\d\./);
  await expect(paused.getByRole("link", { name: "Update your card on the billing page" })).toHaveAttribute(
    "href",
    "/account/billing",
  );
  await expect(page.getByText("to keep your service running")).toHaveCount(0);
  const pausedEvent = page.getByTestId("service-request").filter({ hasText: "Paused: Starter" });
  await expect(pausedEvent.getByTestId("request-status")).toHaveText("Paused");
  await expect(page.getByTestId("service-request").filter({ hasText: "Suspend" })).toHaveCount(0);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: test.info().outputPath(`account-paused-${width}.png`), fullPage: true });
  }

  await openBillingPortal(page);
  await updateCardInPortal(page, "4242 4242 4242 4242");
  await returnToPortal(page);
  await expect
    .poll(() => subscriptionOf(person.company), { timeout: 15_000 })
    .toMatchObject({ status: "active", instance: "active" });
  expect(await finishedOperations(person.company)).toEqual(["provision", "suspend", "resume"]);
  await waitForEmail(person.email, /Your Starter service is running again/);
  await page.goto("/account");
  await expect(page.getByTestId("service-paused")).toHaveCount(0);
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Running again: Starter" }).getByTestId("request-status"),
  ).toHaveText("Running");
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: test.info().outputPath(`account-resumed-${width}.png`), fullPage: true });
  }
  await page.goto("/account/billing");
  await page.reload();
  await expect(page.getByTestId("subscription-status")).toContainText("Active");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("cancel in the portal → ends at the period end → suspended → removed after the retention period", async ({
  page,
}) => {
  const person = await newCustomer(page, "Carl");
  await buyPlan(page, { plan: "starter" });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });

  await openBillingPortal(page);
  await page.getByRole("button", { name: "Cancel plan" }).click();
  await expect(page.getByText(/Your plan will be canceled on/)).toBeVisible();
  await returnToPortal(page);
  await expect(page.getByTestId("subscription-status")).toContainText(/ends on/, { timeout: 10_000 });

  await advanceStripeClock(32 * DAY);
  await expect
    .poll(() => subscriptionOf(person.company), { timeout: 15_000 })
    .toMatchObject({ status: "canceled", instance: "suspended" });

  // The portal's own clock is real time: the test ages the ended subscription past the retention period.
  await withDatabase(async (sql) => {
    await sql`update subscriptions set ended_at = now() - interval '31 days' where account_id = (select id from organisations where name = ${person.company})`;
    await sql`select graphile_worker.add_job('subscriptions_retention_sweep')`;
  });
  await expect
    .poll(() => subscriptionOf(person.company), { timeout: 15_000 })
    .toMatchObject({ instance: "deprovisioned" });
  expect(await finishedOperations(person.company)).toEqual(["provision", "suspend", "deprovision"]);
});

test("a scheduled downgrade takes effect at the renewal: fewer users billed, the service changed", async ({ page }) => {
  const person = await newCustomer(page, "Dora");
  await buyPlan(page, { plan: "team", seats: 5 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  await page.goto("/account/billing");
  await page.getByLabel("Users").fill("3");
  await page.getByRole("button", { name: "Review the change" }).click();
  await page.getByRole("button", { name: "Schedule the downgrade" }).click();
  await expect(page.getByTestId("scheduled-change")).toContainText("Team · 3 users");

  await advanceStripeClock(31 * DAY);
  await expect
    .poll(() => subscriptionOf(person.company), { timeout: 15_000 })
    .toMatchObject({ status: "active", quantity: 3 });
  await expect.poll(() => finishedOperations(person.company), { timeout: 15_000 }).toEqual(["provision", "modify"]);
  await page.reload();
  await expect(page.getByTestId("current-plan")).toHaveText("Team · 3 users · billed monthly");
  await expect(page.getByTestId("scheduled-change")).toHaveCount(0);
});
