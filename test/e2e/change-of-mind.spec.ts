import { expect, test } from "@playwright/test";
import { clientAddress, logIn, signUpAndVerify, uniqueEmail } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

// Issue 11, case 3: back from Checkout with another choice, the customer pays for the new choice,
// never lands on the checkout they changed their mind about; that one is closed.
test("cancel Checkout, choose again: the new choice's Checkout opens and the old one is closed", async ({ page }) => {
  const password = "a long enough password";
  const person = { name: "Mona", email: uniqueEmail("mona"), password, company: `Mind Co ${Date.now()}` };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);

  await page.goto("/orders/new?plan=starter");
  await page.getByLabel("Users").fill("2");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("Total due today")).toBeVisible();
  await expect(page.getByRole("row", { name: /Total due today/ })).toContainText("$24.00");
  const firstCheckout = page.url();
  await page.getByRole("link", { name: "Cancel and return" }).click();
  await expect(page).toHaveURL(/\/plans\/starter$/);

  await page.goto("/orders/new?plan=starter");
  await page.getByLabel("Billing").selectOption("year");
  await page.getByLabel("Users").fill("7");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("Total due today")).toBeVisible();
  expect(page.url()).not.toBe(firstCheckout);
  await expect(page.getByRole("row", { name: /Total due today/ })).toContainText("$840.00");

  await page.goto(firstCheckout);
  await expect(page.getByText("This Checkout Session has expired.")).toBeVisible();
});
