import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import {
  buyPlan,
  clientAddress,
  linkIn,
  newCustomer,
  severeViolations,
  uniqueEmail,
  waitForEmail,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const password = "a long enough password";

async function invite(page: Page, email: string) {
  await page.getByLabel("Their work email").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
}

/** The page in the account layout at a phone's width and a desktop's, with no sideways scroll; screenshots kept with the results. */
async function looksRight(page: Page, testInfo: TestInfo, name: string) {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(page.getByRole("navigation", { name: "Account" })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
}

/** The invited person creates an account from the emailed link and joins. */
async function join(browser: Browser, company: string, email: string, name: string) {
  const mail = await waitForEmail(email, new RegExp(`invited you to ${company}`));
  const context = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const page = await context.newPage();
  await page.goto(linkIn(mail, "/invitations/"));
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByText("Welcome! You joined the organisation.")).toBeVisible();
  await context.close();
}

test("the seats bought limit invitations, with the way to buy more users and its proration", async ({
  page,
}, testInfo) => {
  await newCustomer(page, "Stella");
  await buyPlan(page, { plan: "starter", seats: 1 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });

  await page.goto("/account");
  await page.getByRole("link", { name: "Team", exact: true }).click();
  await expect(page.getByTestId("seat-usage")).toContainText("1 of 1 users");
  await expect(page.getByTestId("seats-full")).toContainText("Every user you have is taken.");

  const refused = uniqueEmail("late");
  await invite(page, refused);
  await expect(page.getByRole("alert").filter({ hasText: "uses 1 of 1 users it pays for" })).toBeVisible();
  await expect(page.getByText("Invitation sent.")).toHaveCount(0);
  await looksRight(page, testInfo, "team-seats-refused");
  await page.getByRole("link", { name: "Buy more users" }).click();
  await expect(page).toHaveURL(/\/account\/billing\?plan=starter&interval=month&seats=2/);
  await expect(page.getByTestId("change-preview")).toContainText("Starter, 2 users");
  await expect(page.getByTestId("due-now")).toBeVisible();
});

test("owners change roles, remove members and transfer the ownership; everyone affected gets an email", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  const owner = await newCustomer(page, "Olga");
  await page.getByRole("link", { name: "Team", exact: true }).click();
  await expect(page.getByTestId("seat-usage")).toContainText("1 user · no user limit");
  const tom = { email: uniqueEmail("tom"), name: "Tom Teammate" };
  const ana = { email: uniqueEmail("ana"), name: "Ana Analyst" };
  await invite(page, tom.email);
  await expect(page.getByText("Invitation sent.")).toBeVisible();
  await invite(page, ana.email);
  await expect(page.getByRole("listitem").filter({ hasText: ana.email })).toBeVisible();
  await join(browser, owner.company, tom.email, tom.name);
  await join(browser, owner.company, ana.email, ana.name);
  await page.reload();
  await expect(page.getByTestId("seat-usage")).toContainText("3 users · no user limit");

  const row = (name: string) => page.getByRole("row").filter({ hasText: name });
  // The only owner can neither leave nor change their own role.
  await expect(row("Olga")).toContainText("You are the only owner");
  await expect(row("Olga").getByRole("link", { name: "Leave" })).toHaveCount(0);
  await looksRight(page, testInfo, "team-owner");

  await row(tom.name).getByLabel(`Role of ${tom.name}`).selectOption("admin");
  await row(tom.name).getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${tom.name} is now an admin.` })).toBeVisible();
  await expect(row(tom.name).getByLabel(`Role of ${tom.name}`)).toHaveValue("admin");
  await waitForEmail(tom.email, /You are now an admin of/);

  await row(ana.name).getByRole("link", { name: "Remove" }).click();
  await expect(page.getByRole("heading", { name: "Remove from the team?" })).toBeVisible();
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: `${ana.name} was removed from ${owner.company}.` }),
  ).toBeVisible();
  await expect(row(ana.name)).toHaveCount(0);
  await waitForEmail(ana.email, new RegExp(`You were removed from ${owner.company}`));

  await row(tom.name).getByRole("link", { name: "Make owner" }).click();
  await expect(page.getByRole("heading", { name: "Transfer the ownership?" })).toBeVisible();
  await looksRight(page, testInfo, "team-confirm-transfer");
  await expect(
    page.getByText(`${tom.name} becomes the owner of ${owner.company} and you become an admin.`),
  ).toBeVisible();
  await page.getByRole("button", { name: "Transfer ownership" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: `${tom.name} now owns ${owner.company}; you are an admin.` }),
  ).toBeVisible();
  await expect(row(tom.name).getByTestId("role")).toHaveText("Owner");
  await expect(row("Olga").getByLabel("Role of Olga")).toHaveValue("admin");
  await waitForEmail(tom.email, new RegExp(`You are now the owner of ${owner.company}`));
  await waitForEmail(owner.email, /You transferred the ownership of/);
  expect(await severeViolations(page)).toEqual([]);

  await looksRight(page, testInfo, "team-after-transfer");

  // Now an admin, Olga may leave.
  await row("Olga").getByRole("link", { name: "Leave" }).click();
  await page.getByRole("button", { name: "Leave the organisation" }).click();
  await expect(page.getByText("You left the organisation.")).toBeVisible();
  await waitForEmail(owner.email, new RegExp(`You left ${owner.company}`));
});
