import { expect, test, type Page } from "@playwright/test";
import { demoCatalog } from "../../db/seed/demo-catalog";
import { formatMoney } from "../../app/lib/money";

async function expectPrices(page: Page, interval: "month" | "year") {
  const cards = page.locator('[data-testid^="plan-card-"]');
  await expect(cards).toHaveCount(demoCatalog.plans.length);
  for (const plan of demoCatalog.plans) {
    const price = page.getByTestId(`price-${plan.slug}-${interval}`);
    await expect(price.getByTestId("price-amount")).toHaveText(
      formatMoney({ amount: plan.prices[interval], currency: plan.currency }),
    );
    await expect(price).toContainText(plan.pricingModel === "per_seat" ? `per user / ${interval}` : `/ ${interval}`);
  }
}

test("the pricing page shows every plan of the catalog with its monthly price", async ({ page }) => {
  await page.goto("/pricing");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Plans and pricing");
  for (const plan of demoCatalog.plans) {
    await expect(page.getByRole("heading", { level: 2, name: plan.name, exact: true })).toBeVisible();
  }
  await expectPrices(page, "month");
  await expect(page.getByRole("link", { name: "Monthly" })).toHaveAttribute("aria-current", "page");
});

test("the interval switch shows yearly prices in the browser", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto("/pricing");
  await page.getByRole("link", { name: /Yearly/ }).click();
  await expect(page).toHaveURL(/interval=year/);
  await expectPrices(page, "year");
  await page.getByRole("link", { name: "Monthly" }).click();
  await expectPrices(page, "month");
  // Hydration ran under the cached page's hash-based CSP without violations.
  expect(errors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the interval switch works as plain links", async ({ page }) => {
    await page.goto("/pricing");
    await page.getByRole("link", { name: /Yearly/ }).click();
    await expect(page).toHaveURL(/\/pricing\?interval=year$/);
    await expectPrices(page, "year");
    await expect(page.getByRole("link", { name: /Yearly/ })).toHaveAttribute("aria-current", "page");
  });

  test("the FAQ opens", async ({ page }) => {
    await page.goto("/pricing");
    const first = demoCatalog.faq[0]!;
    await expect(page.getByText(first.answer)).toBeHidden();
    await page.getByText(first.question).click();
    await expect(page.getByText(first.answer)).toBeVisible();
  });
});

test("the comparison table lists every feature for every plan", async ({ page }) => {
  await page.goto("/pricing");
  const table = page.getByRole("table", { name: "Features included in each plan" });
  for (const feature of demoCatalog.features) {
    await expect(table.getByRole("rowheader", { name: `${feature.name} ${feature.description}` })).toBeVisible();
  }
  await expect(page.getByTestId("compare-sso-business")).toContainText("Included");
  await expect(page.getByTestId("compare-sso-team")).toContainText("Not included");
  await expect(page.getByTestId("compare-storage_gb-team")).toHaveText("200 GB");
  await expect(page.getByTestId("compare-projects-enterprise")).toHaveText("Unlimited");
});

test("each plan has its own page with both prices and its features", async ({ page }) => {
  await page.goto("/pricing");
  await page.getByRole("link", { name: "Choose Business" }).click();
  await expect(page).toHaveURL(/\/plans\/business$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Business");
  await expect(page.getByTestId("price-business-month").getByTestId("price-amount")).toHaveText("$990");
  await expect(page.getByTestId("price-business-year").getByTestId("price-amount")).toHaveText("$9,900");
  await expect(page.getByTestId("feature-eu_residency")).toHaveText("Included");
  await expect(page.getByTestId("feature-dedicated_instance")).toHaveText("Not included");
});

test("an unknown plan is a real 404 page", async ({ page }) => {
  const response = await page.goto("/plans/platinum");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page).toHaveTitle(/Page not found/);
  expect((await page.request.get("/no/such/page")).status()).toBe(404);
});

for (const path of ["/", "/pricing", "/plans/team"]) {
  test(`${path} fits a 375 px wide screen without sideways scrolling`, async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(path);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });
}
