import { expect, test, type Page } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, newCustomer, severeViolations, withDatabase } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const SHOTS = process.env.E2E_SCREENSHOTS;

/** At 375 and 1280 px: no sideways scroll, no serious axe finding, and a screenshot when asked for. */
async function checkWidths(page: Page, name: string, { axe = true } = {}) {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(scroll, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    // axe runs as a script in the page, so pages opened without JavaScript are checked with it elsewhere.
    if (axe) expect(await severeViolations(page), `${name} at ${width} px`).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
}

test("the comparison table keeps each feature's name in view at 375 px", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 900 });
  await page.goto("/pricing");
  const region = page.locator('[role="region"][aria-labelledby="compare-heading"]');
  const feature = region.getByRole("rowheader", { name: /File storage/ });
  const before = await feature.boundingBox();
  await region.evaluate((box) => box.scrollBy({ left: 400 }));
  await expect.poll(() => region.evaluate((box) => box.scrollLeft)).toBeGreaterThan(0);
  expect((await feature.boundingBox())?.x).toBe(before?.x);
  await expect(page.getByTestId("compare-storage_gb-team")).toHaveText("200 GB");
  await checkWidths(page, "pricing");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the order form shows the yearly total after choosing yearly", async ({ page }) => {
    const person = await newCustomer(page, "Nojs");
    await page.goto("/orders/new?plan=team");
    await expect(page.getByTestId("order-total")).toHaveText("Total: $72 per month, excluding tax");
    await page.getByLabel("Billing").selectOption("year");
    await page.getByLabel("Users").fill("4");
    await page.getByRole("button", { name: "Update total" }).click();
    await expect(page).toHaveURL(/interval=year/);
    await expect(page.getByTestId("order-total")).toHaveText("Total: $960 per year, excluding tax");
    await expect(page.getByLabel("Billing")).toHaveValue("year");
    await expect(page.getByLabel("Users")).toHaveValue("4");
    await checkWidths(page, "order-form-no-js", { axe: false });

    // The order page that follows along reloads itself while the payment is unconfirmed.
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await expect(page.getByLabel("Card number")).toBeVisible();
    const [order] = await withDatabase(
      (sql) => sql`select o.id from orders o join organisations g on g.id = o.account_id
        where g.name = ${person.company} order by o.created_at desc limit 1`,
    );
    await page.goto(`/orders/${order!.id}`);
    await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "checkout_open");
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveAttribute("content", "5");
  });
});

test("the order form starts from the choice in its address and follows changes", async ({ page }) => {
  await newCustomer(page, "Yearly");
  await page.goto("/orders/new?plan=team&interval=year&seats=4");
  await expect(page.getByTestId("order-total")).toHaveText("Total: $960 per year, excluding tax");
  await page.getByLabel("Billing").selectOption("month");
  await expect(page.getByTestId("order-total")).toHaveText("Total: $96 per month, excluding tax");
  await expect(page.getByRole("button", { name: "Update total" })).toHaveCount(0);
  await checkWidths(page, "order-form");
});

test("a page that does not exist says so, and who is signed in", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await checkWidths(page, "not-found");

  const person = await newCustomer(page, "Lost");
  expect((await page.goto("/no-such-page"))?.status()).toBe(404);
  await expect(page.getByTestId("signed-in-as")).toContainText(person.email);
  await expect(page.getByRole("link", { name: "Go to your account" })).toBeVisible();
});

test("a member refused an owner's page reads why, who they are and what they can do", async ({ page }) => {
  const person = await newCustomer(page, "Member");
  await withDatabase(
    (sql) =>
      sql`update memberships set role = 'member' where user_id = (select id from users where email = ${person.email})`,
  );
  const response = await page.goto("/orders/new?plan=team");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You can’t open this page");
  await expect(page.getByText("Only owners and admins can do this")).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toContainText(`${person.name} (${person.email})`);
  await expect(page.getByTestId("signed-in-as")).toContainText("ask an owner or admin");
  await expect(page.getByRole("link", { name: "Go to your account" })).toHaveAttribute("href", "/account");
  await checkWidths(page, "forbidden");
  await page.getByRole("button", { name: "Sign in as someone else" }).click();
  await expect(page).toHaveURL(/\/login/);
});

test("staff pages fit 375 px and read lead answers in words", async ({ page }) => {
  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await page.goto("/staff/leads");
  await checkWidths(page, "staff-leads");
  await page.goto("/staff");
  await checkWidths(page, "staff-home");
});

test("a lead's page reads its answers in the questionnaire's words", async ({ page, browser }) => {
  await page.goto("/qualify");
  await page.getByRole("group", { name: "How many people work at your company?" }).getByLabel("11–50 people").check();
  await page.getByRole("group", { name: "What will you mainly use it for?" }).getByLabel("Software delivery").check();
  await page.getByLabel("How many people need access?").fill("1200");
  await page.getByRole("group", { name: "What is your monthly budget?" }).getByLabel("Under $100 a month").check();
  await page
    .getByRole("group", { name: "When do you want to start?" })
    .getByLabel("This quarter", { exact: true })
    .check();
  await page
    .getByRole("group", { name: "Any data-location, security or compliance needs?" })
    .getByLabel("EU data residency")
    .check();
  await page.getByRole("button", { name: "See my answer" }).click();
  await expect(page).toHaveURL(/\/qualify\/results\/[0-9a-f-]{36}$/);
  const leadId = page.url().split("/").pop();

  const context = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await context.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.goto(`/staff/leads/${leadId}`);
  const answers = staffPage.getByRole("region", { name: "Answers" });
  await expect(answers).toContainText("Company size11–50 people");
  await expect(answers).toContainText("People who need access1,200");
  await expect(answers).toContainText("Compliance needsEU data residency");
  await expect(answers).toContainText("Monthly budgetUnder $100 a month");
  await expect(answers).not.toContainText("under_100");
  await checkWidths(staffPage, "staff-lead");
  await context.close();
});
