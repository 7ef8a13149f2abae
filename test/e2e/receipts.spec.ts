import { expect, test } from "@playwright/test";
import { buyPlan, clientAddress, linkIn, newCustomer, waitForEmail } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("buy → the confirmation and the receipt come by email; the receipt links the hosted invoice", async ({ page }) => {
  const person = await newCustomer(page, "Rita");
  await buyPlan(page, { plan: "team", seats: 4, interval: "month" });
  await expect(page.getByTestId("order-status")).toHaveText(/Payment received|Your service is ready/);
  await expect(page.getByTestId("first-charge")).toContainText("Charged $96 on");

  const confirmation = await waitForEmail(person.email, /^Order confirmed: Team, 4 users, billed monthly$/);
  for (const line of ["Plan: Team", "Users: 4", "Billed: monthly", "Price: $96 per month, excluding tax", "Taxes: $0"])
    expect(confirmation.text).toContain(line);
  expect(confirmation.text).toMatch(/Charged today: \$96 \(\d{1,2} \w+ \d{4}\)/);
  await page.goto(linkIn(confirmation, "/orders/"));
  await expect(page.getByTestId("order-status")).toBeVisible();

  const receipt = await waitForEmail(
    person.email,
    /^Receipt for your Team payment: \$96 \(invoice [0-9A-Z]{8}-0001\)$/,
  );
  expect(receipt.text).toContain("Northwind Projects Team");
  expect(receipt.text).toContain("Total paid: $96");
  const invoiceUrl = /https?:\/\/\S+\/i\/in_\w+/.exec(receipt.text)![0];
  await page.goto(invoiceUrl);
  await expect(page.getByRole("heading", { name: /^Invoice [0-9A-Z]{8}-0001$/ })).toBeVisible();
  await expect(page.getByText("Northwind Projects Team")).toBeVisible();
  await expect(page.getByText("Paid", { exact: true })).toBeVisible();
});

test("trial → Checkout charges nothing today; the order page and the email say when the first charge is and what", async ({
  page,
}) => {
  const person = await newCustomer(page, "Tess");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByTestId("service-card")).toBeVisible();

  await page.goto("/orders/new?plan=starter");
  await page.getByLabel("Users").fill("2");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("Northwind Projects Starter")).toBeVisible();
  await expect(page.getByRole("row", { name: /Total due today/ })).toContainText("$0.00");
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?session_id=cs_/);
  await expect(page.getByTestId("order-status")).not.toHaveText(/Payment received/);
  await expect(page.getByTestId("order-status")).toHaveText(/your trial continues|Your service is ready/);
  const firstCharge = page.getByTestId("first-charge");
  await expect(firstCharge).toContainText("Nothing was charged today");
  await expect(firstCharge).toContainText(/first charge on .+: \$24\./);
  const shownDate = await firstCharge.locator("time").getAttribute("datetime");

  const mail = await waitForEmail(person.email, /^Order confirmed: Starter, 2 users, billed monthly$/);
  const day = new Date(shownDate!).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  expect(mail.text).toContain(`Charged today: $0. Your trial continues: first charge on ${day}: $24.`);
  expect(mail.text).toContain("Taxes: $0");
});
