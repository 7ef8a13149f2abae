import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, severeViolations } from "../support/e2e";

const pages = [
  "/",
  "/pricing",
  "/pricing?interval=year",
  "/plans/starter",
  "/plans/enterprise",
  "/plans/unknown",
  "/contact-sales?plan=enterprise",
  "/signup",
  "/login",
  "/forgot-password",
  "/qualify",
];

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
    for (const path of [
      "/staff",
      "/staff/leads",
      "/staff/provisioning",
      "/staff/trials",
      "/staff/accounts",
      "/staff/team",
      "/account",
      "/account/settings",
    ]) {
      await page.goto(path);
      expect(await severeViolations(page), path).toEqual([]);
    }
  });
});
