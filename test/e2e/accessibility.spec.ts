import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn } from "../support/e2e";

const pages = ["/", "/pricing", "/pricing?interval=year", "/plans/starter", "/plans/enterprise", "/plans/unknown", "/signup", "/login", "/forgot-password", "/qualify"];

async function severeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

for (const path of pages) {
  for (const width of [375, 1280]) {
    test(`${path} at ${width} px has no serious or critical axe violations`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      expect(await severeViolations(page)).toEqual([]);
    });
  }
}

test.describe("signed-in pages", () => {
  test.use({ extraHTTPHeaders: clientAddress() });

  test("account, settings, team and staff pages have no serious or critical axe violations", async ({ page }) => {
    const staff = demoStaffLogin();
    await logIn(page, staff.email, staff.password);
    for (const path of ["/staff", "/staff/leads", "/staff/provisioning", "/staff/trials", "/staff/accounts", "/account", "/account/settings"]) {
      await page.goto(path);
      expect(await severeViolations(page), path).toEqual([]);
    }
  });
});
