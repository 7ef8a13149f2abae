import { expect, test } from "@playwright/test";
import {
  buyPlan,
  clientAddress,
  newCustomer,
  screenshots,
  severeViolations,
  waitForEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("after a purchase: one card per service; cancel at period end → ending on → Resume → active again, emailed", async ({
  page,
}) => {
  const person = await newCustomer(page, "Olga");
  await buyPlan(page, { plan: "team", seats: 3 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });

  await page.goto("/account");
  const card = page.getByTestId("service-card");
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId("service-plan")).toHaveText("Team");
  await expect(card).toHaveAttribute("data-state", "active");
  await expect(card.getByTestId("service-users")).toHaveText("1 of 3 users");
  await expect(card.getByTestId("service-charge")).toHaveText(/^On \d+ \w+ \d{4}: \$72$/);
  await expect(card.getByTestId("service-card-brand")).toHaveText("Visa ending 4242");
  await expect(card.getByTestId("service-action")).toHaveText("Open workspace");
  await expect(card.getByTestId("service-request").filter({ hasText: "Set up: Team" })).toHaveCount(1);
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "account");

  await page.goto("/account/billing");
  await expect(page.getByTestId("next-invoice")).toHaveText(/^\$72 on \d+ \w+ \d{4}$/);
  await expect(page.getByTestId("card-on-file")).toContainText("Visa ending 4242, expires");
  await expect(page.getByTestId("invoice-row")).toHaveCount(1);
  await expect(page.getByTestId("invoice-row")).toContainText("$72");
  await expect(page.getByTestId("invoice-row")).toContainText("Paid");
  await screenshots(page, "billing");

  await page.getByRole("button", { name: "Cards, invoices and cancellation" }).click();
  await page.getByRole("button", { name: "Cancel plan" }).click();
  await expect(page.getByText(/Your plan will be canceled on/)).toBeVisible();
  await page.getByRole("link", { name: /^Return to/ }).click();
  await expect(page).toHaveURL(/\/account\/billing$/);
  await expect(async () => {
    await page.goto("/account");
    await expect(page.getByTestId("service-state")).toContainText(/ending on \d+ \w+ \d{4}/, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await waitForEmail(person.email, /Your Team subscription ends on/);
  await page.getByTestId("service-action").filter({ hasText: "Resume" }).click();
  await expect(page.getByTestId("ending-notice")).toBeVisible();
  await screenshots(page, "billing-ending");
  await page.getByRole("button", { name: "Resume my subscription" }).click();
  await expect(page.getByText("Your subscription continues")).toBeVisible();
  await waitForEmail(person.email, /Your Team subscription continues/);
  await page.goto("/account");
  await expect(page.getByTestId("service-card")).toHaveAttribute("data-state", "active");
  await expect(page.getByTestId("service-charge")).toHaveText(/^On \d+ \w+ \d{4}: \$72$/);
});

test("a downgrade preview lists what the organisation loses", async ({ page }) => {
  await newCustomer(page, "Dora");
  await buyPlan(page, { plan: "team", seats: 3 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  await page.goto("/account/billing");
  await page.getByLabel("Plan", { exact: true }).selectOption("starter");
  await page.getByRole("button", { name: "Review the change" }).click();
  const preview = page.getByTestId("change-preview");
  await expect(preview).toHaveAttribute("data-kind", "downgrade");
  const lost = preview.getByTestId("lost-features");
  await expect(lost).toContainText("Your organisation loses:");
  await expect(lost.getByRole("listitem").first()).toBeVisible();
  expect(await lost.textContent()).not.toMatch(/_/);
  await screenshots(page, "billing-downgrade");
});

test("a member opening the billing page is told who manages billing and who they are", async ({ page }) => {
  const person = await newCustomer(page, "Mick");
  await withDatabase(
    (sql) =>
      sql`update memberships set role = 'member' where user_id = (select id from users where email = ${person.email})`,
  );
  const answer = await page.goto("/account/billing");
  expect(answer?.status()).toBe(200);
  await expect(page.getByText("Only owners and admins manage billing.")).toBeVisible();
  await expect(page.getByTestId("billing-refused")).toContainText(person.email);
  await expect(page.getByTestId("billing-refused")).toContainText(person.company);
});
