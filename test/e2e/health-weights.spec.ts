import { expect, test } from "@playwright/test";
import {
  clientAddress,
  demoStaffLogin,
  logIn,
  screenshots,
  severeViolations,
  uniqueEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("a staff admin changes the health weights with a reason, sees the version, and recomputes history on purpose", async ({
  page,
}) => {
  const admin = demoStaffLogin();
  await logIn(page, admin.email, admin.password);
  await page.goto("/staff");
  await page.getByRole("link", { name: "Health weights" }).click();
  await expect(page.getByRole("heading", { name: "Health score weights", level: 1 })).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "health-weights");

  // A value no earlier run left in force, so this save makes a new version.
  const payment = String(21 + Math.floor(Math.random() * 70));
  await page.getByLabel("Payment, after 30 days").fill(payment);
  await page.getByLabel("Why they change").fill("Payment problems predict churn here");
  await page.getByRole("button", { name: "Save weights" }).click();
  await expect(page.getByRole("status")).toContainText(/Saved as version \d+/);
  await expect(page.getByLabel("Payment, after 30 days")).toHaveValue(payment);
  const newest = page.getByTestId("weight-version").first();
  await expect(newest).toContainText("by Demo Staff");
  await expect(newest).toContainText("Payment problems predict churn here");

  // Saving the same weights again adds no version.
  await page.getByLabel("Why they change").fill("A second click");
  await page.getByRole("button", { name: "Save weights" }).click();
  await expect(page.getByRole("status")).toContainText("already in force");
  await expect(page.getByTestId("weight-version").first()).toContainText("Payment problems predict churn here");

  // A weight out of range is refused with a sentence (the browser's own check is bypassed, as a script could).
  await page.getByLabel("Setup, first 30 days").evaluate((input: HTMLInputElement) => {
    input.removeAttribute("max");
    input.value = "500";
  });
  await page.getByLabel("Why they change").fill("Too much");
  await page.getByRole("button", { name: "Save weights" }).click();
  await expect(page.getByRole("alert")).toContainText("Enter each weight as a whole number from 0 to 100");

  await page.getByLabel("I understand that the stored scores of past days are replaced.").check();
  await page.getByRole("button", { name: "Recompute history with these weights" }).click();
  await expect(page.getByRole("status")).toContainText("Past scores are being recomputed");
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "health-weights-saved");
});

test("staff who are not admins neither see nor open the weights page", async ({ page }) => {
  const admin = demoStaffLogin();
  const email = uniqueEmail("plain-staff");
  // The demo staff's password hash, so this staff member logs in with the same password.
  await withDatabase(
    (sql) => sql`insert into users (email, name, password_hash, email_verified_at, staff_role)
      select ${email}, 'Plain Staff', password_hash, now(), 'staff' from users where email = ${admin.email}`,
  );
  await logIn(page, email, admin.password);
  await page.goto("/staff");
  await expect(page.getByRole("link", { name: "Accounts" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Health weights" })).toHaveCount(0);
  const response = await page.goto("/staff/health-weights");
  expect(response?.status()).toBe(404);
});
