import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, screenshots, severeViolations, withDatabase } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

test("staff claim, snooze and complete a task from the team's queue", async ({ page }) => {
  const company = `Tasked ${randomUUID().slice(0, 8)}`;
  const title = `Call ${company} about their setup.`;
  await withDatabase(async (sql) => {
    const [org] = await sql<{ id: string }[]>`insert into organisations (name) values (${company}) returning id`;
    await sql`insert into cs_tasks (account_id, rule_key, title, reason, link, due_at)
      values (${org!.id}, 'setup-stuck', ${title}, 'A setup has been waiting on the customer for 3 days.',
        ${`/staff/accounts/${org!.id}`}, now() - interval '2 days')`;
  });
  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);

  await page.goto("/staff");
  await page.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Tasks" }).click();
  await page.getByRole("link", { name: "Team's queue" }).click();
  const row = page.getByTestId("task-row").filter({ hasText: title });
  await expect(row).toContainText("Overdue: was due");
  await expect(row).toContainText("The team's queue");
  await expect(row.getByRole("link", { name: company, exact: true })).toBeVisible();
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "tasks-queue");

  await row.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("task-due")).toContainText("Overdue");
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "task-open");

  await page.getByRole("button", { name: "Claim" }).click();
  await expect(page.getByTestId("task-assignee")).toHaveText("You");
  await expect(page.getByRole("button", { name: "Claim" })).toHaveCount(0);

  await page.getByRole("button", { name: "3 days" }).click();
  await expect(page.getByTestId("task-due")).not.toContainText("Overdue");
  await expect(page.getByTestId("task-history")).toContainText("Demo Staff snoozed it until");

  await page.getByRole("group", { name: "How did it go?" }).getByLabel("Called").check();
  await page.getByLabel("Note (optional)").fill("They will finish the setup today.");
  await page.getByRole("button", { name: "Complete" }).click();
  await expect(page.getByTestId("task-due")).toContainText("Called on");
  await expect(page.getByRole("button", { name: "Complete" })).toHaveCount(0);
  await expect(page.getByTestId("task-history")).toContainText(
    "Demo Staff completed it: Called. Note: They will finish the setup today.",
  );
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "task-done");

  await page.goto("/staff/tasks?view=done");
  await expect(page.getByTestId("task-row").filter({ hasText: title })).toContainText("Called on");
  const [saved] = await withDatabase(
    (sql) => sql<{ status: string; outcome: string }[]>`select status, outcome from cs_tasks where title = ${title}`,
  );
  expect(saved).toEqual({ status: "done", outcome: "called" });
});

test("staff admins edit a playbook rule", async ({ page }) => {
  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await page.goto("/staff");
  await page.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Playbooks" }).click();
  const rule = page.getByRole("form", { name: "Near a plan limit or looking at upgrades" });
  await expect(rule).toContainText(
    "When: A plan limit is 80% used, or the upgrade preview was opened in the last 7 days.",
  );
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "playbooks");
  await rule.getByLabel("Share of a plan limit in use at least (%)").fill("120");
  await rule.getByRole("button", { name: "Save rule" }).click();
  await expect(rule.getByRole("alert").first()).toContainText("Correct the highlighted fields.");
  await expect(rule).toContainText("Share of a plan limit in use at least (%): enter at most 100");
  await rule.getByLabel("Share of a plan limit in use at least (%)").fill("75");
  await rule.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByRole("form", { name: "Near a plan limit or looking at upgrades" })).toContainText(
    "When: A plan limit is 75% used",
  );
  const [saved] = await withDatabase(
    (sql) => sql<{ version: number }[]>`select version from playbook_rules where key = 'expansion'`,
  );
  expect(saved!.version).toBe(2);
});
