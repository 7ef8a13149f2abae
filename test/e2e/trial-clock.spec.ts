import { expect, test } from "@playwright/test";
import { clientAddress, completeManualSetup, newCustomer, waitForEmail } from "../support/e2e";

// Issue 14, item 9: a Business trial (set up by staff) counts its 14 days from when it is ready.

test.use({ extraHTTPHeaders: clientAddress() });

test("a Business trial is 'being set up' until staff complete it, then counts 14 days and emails the end", async ({
  page,
  browser,
}) => {
  const person = await newCustomer(page, "Bettina");
  await page.goto("/plans/business");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByTestId("trial-status")).toHaveText(
    "Your workspace is being set up by our team. Your 14 free days start when it is ready; we will email you.",
  );

  await completeManualSetup(browser, person.company, `Set up Business for ${person.company}`, {
    "Workspace URL": "https://bettina.eu.example",
    "Administrator sign-in email": "admin@bettina.example",
    "Data region": "eu-west",
  });
  const ready = await waitForEmail(person.email, /Business service is ready/);
  expect(ready.text).toMatch(/Your free trial runs until \d{1,2} \w+ \d{4}\./);
  await page.reload();
  await expect(page.getByTestId("trial-status")).toHaveText(/^14 days left, until \d{1,2} [A-Z][a-z]+ \d{4}$/);
});
