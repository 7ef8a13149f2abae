import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, signUpAndVerify, uniqueEmail, waitForEmail } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const password = "a long enough password";

test("a trial of an automatic plan is set up and shows its access details without a reload", async ({ page }) => {
  const person = { name: "Tia", email: uniqueEmail("tia"), password, company: "Tia Works" };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/plans/team");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByText("Your free trial has started")).toBeVisible();
  const service = page.getByTestId("service-request").filter({ hasText: "Set up: Team" });
  await expect(service.getByTestId("request-status")).toHaveText("Ready", { timeout: 10_000 });
  await expect(service.getByTestId("access-details")).toContainText(/https:\/\/tia-works-[0-9a-f]{8}\.demo\.localhost/);

  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByText("That trial could not start")).toBeVisible();
});

test("staff claim and complete a manual setup; the customer sees the access details live and gets an email", async ({ page, browser }) => {
  const person = { name: "Max", email: uniqueEmail("max"), password, company: `Max Manual ${Date.now()}` };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/plans/business");
  await page.getByRole("button", { name: "Start free trial" }).click();
  const service = page.getByTestId("service-request").filter({ hasText: "Set up: Business" });
  await expect(service.getByTestId("request-status")).toHaveText("Waiting for staff", { timeout: 10_000 });
  await expect(service).toContainText("Our team is setting this up for you.");

  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await staffContext.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.getByRole("link", { name: "Provisioning" }).click();
  await staffPage.getByLabel("Status").selectOption("waiting_staff");
  await staffPage.getByRole("button", { name: "Filter" }).click();
  await staffPage.getByTestId("queue-row").filter({ hasText: person.company }).getByRole("link").click();
  await expect(staffPage.getByRole("heading", { level: 1 })).toHaveText(`Set up Business for ${person.company}`);
  await staffPage.getByRole("button", { name: "Claim" }).click();
  await expect(staffPage.getByText("Claimed by you")).toBeVisible();

  await staffPage.getByLabel("Workspace URL").fill("not a url");
  await staffPage.getByLabel("Administrator sign-in email").fill("admin@max.example");
  await staffPage.getByLabel("Data region").fill("eu-central");
  await staffPage.getByRole("button", { name: "Complete" }).click();
  await expect(staffPage.getByText("Enter a full web address starting with https://")).toBeVisible();
  await staffPage.getByLabel("Workspace URL").fill("https://max.eu.example");
  await staffPage.getByLabel("Administrator sign-in email").fill("admin@max.example");
  await staffPage.getByLabel("Data region").fill("eu-central");
  await staffPage.getByRole("button", { name: "Complete" }).click();
  await expect(staffPage.getByTestId("request-status")).toHaveText("Ready");
  await expect(staffPage.getByTestId("timeline")).toContainText(`claimed by Demo Staff`);
  await expect(staffPage.getByTestId("timeline")).toContainText(`completed by Demo Staff`);
  await staffContext.close();

  // The customer's page, still open, updates by itself.
  await expect(service.getByTestId("request-status")).toHaveText("Ready", { timeout: 5_000 });
  await expect(service.getByTestId("access-details")).toContainText("https://max.eu.example");
  const mail = await waitForEmail(person.email, /Business service is ready/);
  expect(mail.text).toContain("https://max.eu.example");
});
