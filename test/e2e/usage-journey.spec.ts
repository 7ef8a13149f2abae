import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, newCustomer, withDatabase } from "../support/e2e";

// Issue 15, "done when": a person starts a trial, opens their demo workspace, creates a project and
// invites two colleagues; the workspace reports it through the public ingest API with its own key,
// the rollup and activation jobs run, and the checklist on /account ticks within seconds. Staff see
// the same milestones on the account's timeline. Nothing here writes usage rows by hand.

test.use({ extraHTTPHeaders: clientAddress() });

test("trial → demo workspace → project and two teammates → the checklist ticks on /account, and staff see it on the timeline", async ({
  page,
  browser,
}) => {
  const person = await newCustomer(page, "Journey");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page).toHaveURL(/\/account\?notice=trial-started$/);

  const checklist = page.getByTestId("trial").getByTestId("checklist");
  const open = page.getByTestId("service-card").getByRole("link", { name: /\/demo\// });
  await expect(async () => {
    await page.reload();
    await expect(open).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(checklist.getByTestId("checklist-share")).toContainText("0 of 3 steps done (0%)");
  await open.click();

  await page.getByRole("link", { name: "Projects", exact: true }).first().click();
  await page.getByLabel("Project name").fill("Launch plan");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status")).toHaveText("Project “Launch plan” created.");
  await page.getByRole("link", { name: "Team" }).click();
  for (const [name, email] of [
    ["Rosa Diaz", "rosa@journey.example"],
    ["Amir Haddad", "amir@journey.example"],
  ]) {
    await page.getByLabel("Name", { exact: true }).fill(name!);
    await page.getByLabel("Email", { exact: true }).fill(email!);
    await page.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByRole("status")).toContainText(`${name} was added to the team.`);
  }
  const reported = Date.now();

  await page.goto("/account");
  await expect(async () => {
    await page.reload();
    await expect(checklist.getByTestId("checklist-share")).toContainText("2 of 3 steps done (67%)", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  const seconds = (Date.now() - reported) / 1000;
  test.info().annotations.push({ type: "checklist ticked after", description: `${seconds.toFixed(1)} s` });
  const items = checklist.getByTestId("checklist-item");
  await expect(items.nth(0)).toContainText("Done: Create your first project");
  await expect(items.nth(1)).toContainText("Done: Invite 2 teammates");
  await expect(items.nth(2).getByTestId("checklist-progress")).toHaveText("1 of 3 different days");

  // The workspace's own key, as the API saw it: every event came in through /api/v1 with it.
  const stored = await withDatabase(async (sql) => {
    const [row] = await sql<{ accountId: string; events: number; keys: number }[]>`
      select e.account_id as "accountId", count(*)::int as events,
        (select count(*)::int from usage_ingest_keys k where k.instance_id = e.instance_id and k.revoked_at is null) as keys
      from usage_events e join organisations o on o.id = e.account_id
      where o.name = ${person.company} group by e.account_id, e.instance_id`;
    return row;
  });
  expect(stored!.keys).toBe(1);
  expect(stored!.events).toBeGreaterThanOrEqual(6);

  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staff = await staffContext.newPage();
  const login = demoStaffLogin();
  await logIn(staff, login.email, login.password);
  await staff.goto(`/staff/accounts/${stored!.accountId}`);
  const timeline = staff.getByTestId("timeline");
  await expect(timeline).toContainText("Milestone reached: Create your first project");
  await expect(timeline).toContainText("Milestone reached: Invite 2 teammates");
  await staffContext.close();
});
