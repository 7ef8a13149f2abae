import { expect, test } from "@playwright/test";
import {
  clientAddress,
  newCustomer,
  screenshots,
  severeViolations,
  staffOnWaitingSetup,
  waitForEmail,
} from "../support/e2e";

// Issue 15: a trial's demo-provisioned service is a small working workspace served by the portal,
// reporting usage through the public API with its own key; its owners can rotate that key.

test.use({ extraHTTPHeaders: clientAddress() });

test("a trial customer opens the demo workspace from /account, creates a project, invites a teammate, connects Slack", async ({
  page,
}) => {
  await newCustomer(page, "Wanda");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await page.goto("/account");
  // The service card's workspace address, once the demo provisioner has set it up.
  const open = page.getByTestId("service-card").getByRole("link", { name: /\/demo\// });
  await expect(async () => {
    await page.reload();
    await expect(open).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await open.click();

  await expect(page).toHaveURL(/\/demo\/wanda-co-[0-9a-f]{6}-[0-9a-f]{8}$/);
  await expect(page.getByText("Demo product.")).toBeVisible();
  await expect(page.getByText("Starter plan")).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "workspace-overview");

  await page.getByRole("link", { name: "Projects", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "New project" })).toBeVisible();
  await page.getByLabel("Project name").fill("Website relaunch");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toHaveText("Project “Website relaunch” created.");
  await expect(page.getByRole("listitem").filter({ hasText: "Website relaunch" })).toBeVisible();
  await page.getByLabel("Project name").fill("website relaunch");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByText("There is already a project called “website relaunch”.")).toBeVisible();
  await screenshots(page, "workspace-projects");

  await page.getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { name: "Invite a teammate" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Rosa Diaz");
  await page.getByLabel("Email", { exact: true }).fill("rosa@example.test");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText("Rosa Diaz was added to the team.");
  await expect(page.getByRole("listitem").filter({ hasText: "rosa@example.test" })).toBeVisible();
  await screenshots(page, "workspace-team");

  await page.getByRole("link", { name: "Integrations" }).click();
  await expect(page.getByRole("heading", { name: "Integrations" })).toBeVisible();
  await page.getByRole("button", { name: "Connect Slack" }).click();
  await expect(page.getByRole("status")).toHaveText("Slack connected.");
  await expect(page.getByRole("button", { name: "Disconnect Slack" })).toBeVisible();
  await screenshots(page, "workspace-integrations");

  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByText("1 of 10", { exact: true })).toBeVisible();
  await expect(page.getByText("Slack connected.")).toBeVisible();
});

test("an owner rotates the usage reporting key from settings: shown once, the owners emailed", async ({ page }) => {
  const person = await newCustomer(page, "Kofi");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  const rotate = page.getByRole("link", { name: "Rotate the key" });
  await expect(async () => {
    await page.goto("/account/settings");
    await expect(rotate).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  const oldPrefix = (await page.locator("#ingest-keys-heading ~ ul code").textContent())!.replace("…", "");
  await rotate.click();

  await expect(page.getByRole("heading", { name: "Your Starter service" })).toBeVisible();
  await screenshots(page, "rotation-confirm");
  await page.getByLabel("I understand that the old key stops working at once.").check();
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Rotate the key" }).click();
  expect((await answer).headers()["cache-control"]).toBe("no-store");

  const key = page.getByLabel("New ingest key");
  await expect(key).toHaveValue(/^pik_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByText(`The old key (starting ${oldPrefix}…) stopped working.`)).toBeVisible();
  await screenshots(page, "rotation-shown");
  const mail = await waitForEmail(person.email, /usage reporting key of your Starter service was replaced/);
  expect(mail.text).not.toContain(await key.inputValue());

  await page.reload();
  await expect(page.getByLabel("New ingest key")).toHaveCount(0);
});

test("staff show a manual setup's ingest key once, from its request page", async ({ page, browser }) => {
  const person = await newCustomer(page, "Magnus");
  await page.goto("/plans/business");
  await page.getByRole("button", { name: "Start free trial" }).click();

  const { context, staffPage } = await staffOnWaitingSetup(browser, person.company);
  await staffPage.getByRole("link", { name: "Show the ingest key" }).click();

  await expect(staffPage.getByText("No key has been issued for this service yet.")).toBeVisible();
  await screenshots(staffPage, "staff-first-key");
  await staffPage.getByLabel("I will give this key to the product now.").check();
  await staffPage.getByRole("button", { name: "Show the ingest key" }).click();
  await expect(staffPage.getByLabel("New ingest key")).toHaveValue(/^pik_/);
  await expect(staffPage.getByText("stopped working")).toHaveCount(0);

  await staffPage.getByRole("link", { name: "Back to the account" }).click();
  await expect(staffPage.getByRole("link", { name: "Rotate the key" })).toBeVisible();
  await screenshots(staffPage, "staff-account-keys");
  await context.close();
});
