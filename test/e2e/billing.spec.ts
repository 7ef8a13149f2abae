import { expect, test } from "@playwright/test";
import {
  buyPlan,
  clientAddress,
  completeManualSetup,
  demoStaffLogin,
  e2eStripe,
  logIn,
  newCustomer,
  severeViolations,
  waitForEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);

test("upgrade with the proration shown → charged exactly that → modify → new limits; a downgrade waits for the period end", async ({
  page,
}) => {
  const person = await newCustomer(page, "Uma");
  await buyPlan(page, { plan: "team", seats: 3 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });

  await page.goto("/account");
  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page.getByTestId("current-plan")).toHaveText("Team · 3 users · billed monthly");
  await page.getByLabel("Users").fill("6");
  await page.getByRole("button", { name: "Review the change" }).click();
  const preview = page.getByTestId("change-preview");
  await expect(preview).toHaveAttribute("data-kind", "upgrade");
  const dueNow = cents((await preview.getByTestId("due-now").textContent())!);
  // Three more users for (almost) a whole month of $24 each.
  expect(dueNow).toBeGreaterThan(7_000);
  expect(dueNow).toBeLessThanOrEqual(7_200);
  expect(await severeViolations(page)).toEqual([]);
  await preview.getByRole("button", { name: /Pay .* and upgrade/ }).click();
  await expect(page.getByText("Your plan is changed and the difference is paid.")).toBeVisible();
  await expect(page.getByTestId("current-plan")).toHaveText("Team · 6 users · billed monthly");

  const [subscription] = await withDatabase(
    (sql) =>
      sql<
        { id: string }[]
      >`select s.id from subscriptions s join organisations o on o.id = s.account_id where o.name = ${person.company}`,
  );
  const invoices = await e2eStripe().invoices.list({ subscription: subscription!.id });
  expect(invoices.data.find((invoice) => invoice.billing_reason === "subscription_update")?.amount_paid).toBe(dueNow);

  await page.goto("/account");
  const change = page.getByTestId("service-request").filter({ hasText: "Change: Team" });
  await expect(change.getByTestId("request-status")).toHaveText("Ready", { timeout: 10_000 });
  await expect(change.getByTestId("access-details")).toContainText("6");

  await page.goto("/account/billing");
  await page.getByLabel("Users").fill("4");
  await page.getByRole("button", { name: "Review the change" }).click();
  await expect(page.getByTestId("change-preview")).toContainText("Nothing to pay now.");
  await page.getByRole("button", { name: "Schedule the downgrade" }).click();
  await expect(page.getByText("Your change is scheduled for the end of the period")).toBeVisible();
  await expect(page.getByTestId("scheduled-change")).toContainText("Team · 4 users · billed monthly");
  await expect(page.getByTestId("current-plan")).toHaveText("Team · 6 users · billed monthly");
  await page.getByRole("button", { name: "Keep my current plan" }).click();
  await expect(page.getByText("You keep your current plan")).toBeVisible();
  await expect(page.getByTestId("scheduled-change")).toHaveCount(0);
});

test("a plan set up by hand: paid online, then completed by staff; the order page follows to ready", async ({
  page,
  browser,
}) => {
  const person = await newCustomer(page, "Mona");
  await buyPlan(page, { plan: "business" });
  await expect(page.getByTestId("order-status")).toHaveText("Payment received");
  await expect(page.getByTestId("request-status")).toHaveText("Waiting for staff", { timeout: 10_000 });

  await completeManualSetup(browser, person.company, `Set up Business for ${person.company}`, {
    "Workspace URL": "https://mona.eu.example",
    "Administrator sign-in email": "admin@mona.example",
    "Data region": "eu-west",
  });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  await expect(page.getByTestId("access-details")).toContainText("https://mona.eu.example");
  await waitForEmail(person.email, /Business service is ready/);
});

test("a contact-us plan opens a request to staff, not a checkout; staff send a checkout link, the customer pays, staff approve the setup", async ({
  page,
  browser,
}) => {
  await page.goto("/plans/enterprise");
  await expect(page.getByRole("link", { name: "Buy now" })).toHaveCount(0);
  await page.getByRole("link", { name: "Talk to us" }).click();
  await page.getByLabel("Your work email").fill("cio@bigcorp.example");
  await page.getByLabel("Company").fill("Bigcorp");
  await page.getByLabel("How many users").fill("0");
  await page.getByLabel("How many users").press("Tab");
  await expect(page.getByText("Enter at least 1 user")).toBeVisible();
  await page.getByLabel("How many users").fill("800");
  await page.getByLabel("How many users").press("Tab");
  await expect(page.getByText("Enter at least 1 user")).toHaveCount(0);
  await page.getByRole("button", { name: "Ask our team to contact me" }).click();
  await expect(page.getByText("Our team will get back to you within one business day.")).toBeVisible();

  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await staffContext.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.goto("/staff/leads");
  await expect(staffPage.getByTestId("lead-row").filter({ hasText: "cio@bigcorp.example" })).toContainText(
    /Talk to us.*Enterprise.*800/,
  );

  // Staff agree Enterprise with a customer and send a checkout link; paid, it waits for their approval.
  const person = await newCustomer(page, "Ella");
  await staffPage.goto(`/staff/accounts?q=${encodeURIComponent(person.company)}`);
  await staffPage.getByTestId("account-row").filter({ hasText: person.company }).getByRole("link").click();
  await expect(staffPage).toHaveURL(/\/staff\/accounts\/[0-9a-f-]{36}$/);
  const accountUrl = staffPage.url();
  // The account page has other figures about users and plans: the checkout form's own fields.
  const checkout = staffPage.getByRole("region", { name: "Send a checkout link" });
  await checkout.getByLabel("Plan").selectOption("enterprise");
  await checkout.getByLabel("Billing").selectOption("year");
  await checkout.getByLabel("Users").fill("800");
  await staffPage.getByRole("button", { name: "Send checkout link" }).click();
  await expect(staffPage.getByText("Checkout link sent to the account's owners and admins.")).toBeVisible();
  const mail = await waitForEmail(person.email, /Your Enterprise order is ready to pay/);
  expect(mail.text).toContain("$25,000 per year");
  await page.goto(/https?:\/\/\S+\/c\/pay\/\S+/.exec(mail.text)![0]);
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Payment received: our team will approve your setup");

  await staffPage.goto("/staff");
  const waiting = staffPage.getByTestId("attention").getByRole("listitem").filter({ hasText: person.company });
  await expect(waiting).toContainText("Enterprise order paid, waiting for your approval", { timeout: 10_000 });
  await waiting.getByRole("link").click();
  await expect(staffPage).toHaveURL(accountUrl);
  await expect(staffPage.getByTestId("orders")).toContainText("Paid, waiting for approval");
  await staffPage.getByRole("button", { name: "Approve and start setup" }).click();
  await expect(staffPage.getByText("Approved: the Enterprise setup is queued.")).toBeVisible();
  await expect(staffPage.getByTestId("orders")).toContainText("Enterprise · 800 users · $25,000 per year · Paid");
  await staffContext.close();

  await page.goto("/account");
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Set up: Enterprise" }).getByTestId("request-status"),
  ).toHaveText("Waiting for staff", { timeout: 10_000 });
});
