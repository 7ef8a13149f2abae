import { expect, test } from "@playwright/test";
import { buyPlan, clientAddress, newCustomer, screenshots, severeViolations, withDatabase } from "../support/e2e";

// Issue 15, items 5 and 7: the customer's getting-started checklist and usage against the plan's
// limits on /account. Rollup rows are written here as the rollup job writes them, and the
// activation job is queued as the rollup job queues it; the portal's worker records the milestones.

test.use({ extraHTTPHeaders: clientAddress() });

const DAY = 24 * 60 * 60 * 1000;
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** The organisation's (one) service instance once the demo provisioner has set it up. */
async function readyInstance(company: string): Promise<{ id: string; accountId: string }> {
  let found: { id: string; accountId: string } | undefined;
  await expect(async () => {
    const [row] = await withDatabase(
      (sql) => sql<{ id: string; account_id: string }[]>`
        select i.id, i.account_id from service_instances i join organisations o on o.id = i.account_id
         where o.name = ${company} and i.status = 'active'`,
    );
    expect(row).toBeDefined();
    found = { id: row!.id, accountId: row!.account_id };
  }).toPass({ timeout: 15_000 });
  return found!;
}

/** One day's rollup rows of an instance: track events (name → count, all at `at`) and users active. */
async function rolledUp(
  instance: { id: string; accountId: string },
  at: Date,
  events: Record<string, number>,
  users: string[],
) {
  await withDatabase(async (sql) => {
    for (const [event, count] of Object.entries(events))
      await sql`
        insert into usage_daily_events (instance_id, account_id, day, event, count, first_at, last_at)
        values (${instance.id}, ${instance.accountId}, ${dayOf(at)}, ${event}, ${count}, ${at}, ${at})
        on conflict (instance_id, day, event) do update set count = usage_daily_events.count + excluded.count, last_at = excluded.last_at`;
    await sql`
      insert into usage_daily (instance_id, account_id, day, active_users, events, seats_in_use)
      values (${instance.id}, ${instance.accountId}, ${dayOf(at)}, ${users.length}, ${users.length}, ${users.length})
      on conflict (instance_id, day) do update set active_users = excluded.active_users`;
    for (const user of users)
      await sql`insert into usage_daily_users (instance_id, day, user_id) values (${instance.id}, ${dayOf(at)}, ${user})
                on conflict do nothing`;
    await sql`select graphile_worker.add_job('activation_evaluate', ${JSON.stringify({ instanceIds: [instance.id] })}::text::json)`;
  });
}

test("a trial's checklist ticks as the product reports usage, then celebrates; a limit near its end nudges the owner", async ({
  page,
}) => {
  const person = await newCustomer(page, "Nina");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page).toHaveURL(/\/account\?notice=trial-started$/);
  const instance = await readyInstance(person.company);
  // The trial began three days ago, so this week has room for three active days so far.
  await withDatabase(
    (sql) => sql`update trials set started_at = now() - interval '3 days' where instance_id = ${instance.id}`,
  );

  const now = new Date();
  await rolledUp(instance, now, { "Project Created": 1, "Teammate Invited": 1 }, ["ann"]);
  const checklist = page.getByTestId("trial").getByTestId("checklist");
  await expect(async () => {
    await page.goto("/account");
    await expect(checklist.getByTestId("checklist-share")).toContainText("1 of 3 steps done (33%)", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(checklist.getByTestId("checklist-days-left")).toHaveText(/^1[34] days left in your trial$/);
  const items = checklist.getByTestId("checklist-item");
  await expect(items.nth(0)).toHaveAttribute("data-done", "true");
  await expect(items.nth(0)).toContainText("Done: Create your first project");
  await expect(items.nth(1)).toContainText("To do: Invite 2 teammates");
  await expect(items.nth(1).getByTestId("checklist-progress")).toHaveText("1 of 2 teammates invited");
  await expect(items.nth(2).getByTestId("checklist-progress")).toHaveText("1 of 3 different days");
  await expect(checklist.getByTestId("checklist-next")).toHaveText("Next step: Invite 2 teammates");
  expect(await checklist.getByTestId("checklist-next").getAttribute("href")).toMatch(/\/team$/);
  // The trial's service card leaves the checklist to the trial card: one checklist on the page.
  await expect(page.getByTestId("checklist")).toHaveCount(1);
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "checklist-progress");

  // Another teammate and two more active days: every step is done.
  await rolledUp(instance, new Date(now.getTime() - DAY), { "Teammate Invited": 1 }, ["bob"]);
  await rolledUp(instance, new Date(now.getTime() - 2 * DAY), {}, ["ann"]);
  await expect(async () => {
    await page.goto("/account");
    await expect(checklist.getByTestId("checklist-done")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(checklist.getByTestId("checklist-done")).toHaveText(
    "You are all set up: every getting-started step is done. Well done!",
  );
  await expect(checklist.getByTestId("checklist-share")).toContainText("3 of 3 steps done (100%)");
  await expect(checklist.getByTestId("checklist-next")).toHaveCount(0);
  await expect(checklist.locator("[data-done=true]")).toHaveCount(3);

  // The product reports 9 of Starter's 10 projects: the figures, and the nudge to compare plans.
  await withDatabase(
    (sql) => sql`insert into usage_instance_traits (instance_id, traits, as_of)
                 values (${instance.id}, ${sql.json({ projects: 9, storage_gb: 2.5, api_calls: 1200 })}, now())`,
  );
  await page.goto("/account");
  const usage = page.getByTestId("service-card").getByTestId("usage");
  await expect(usage.getByTestId("usage-active")).toHaveText("2 people");
  await expect(usage.getByTestId("usage-seats")).toHaveText("1 of 10 users");
  await expect(usage.getByTestId("usage-meter-text")).toHaveText([
    "9 of 10 projects",
    "2.5 of 20 GB",
    "1,200 of 10,000 API calls per month",
  ]);
  await expect(usage.getByTestId("usage-nudge")).toHaveText("You have used 90% of your projects — compare plans");
  await expect(usage.getByRole("link", { name: "compare plans" })).toHaveAttribute("href", "/pricing");
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "checklist-done");
});

test("a bought plan near a limit: the owner's nudge leads to the billing page's plan change", async ({ page }) => {
  const person = await newCustomer(page, "Omar");
  await buyPlan(page, { plan: "team", seats: 3 });
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  const instance = await readyInstance(person.company);
  await withDatabase(
    (sql) => sql`insert into usage_instance_traits (instance_id, traits, as_of)
                 values (${instance.id}, ${sql.json({ projects: 85, storage_gb: 10, api_calls: 500 })}, now())`,
  );
  await page.goto("/account");
  const card = page.getByTestId("service-card");
  await expect(card.getByTestId("checklist-share")).toHaveText("0 of 4 steps done (0%)");
  await expect(card.getByTestId("checklist-days-left")).toHaveCount(0);
  await expect(card.getByTestId("usage-meter").first()).toHaveAttribute("data-near-limit", "true");
  await expect(card.getByTestId("usage-nudge")).toHaveText("You have used 85% of your projects — compare plans");
  await screenshots(page, "usage-nudge");
  await card.getByRole("link", { name: "compare plans" }).click();
  await expect(page).toHaveURL(/\/account\/billing#change-heading$/);
  await expect(page.getByRole("heading", { name: "Change your plan" })).toBeVisible();
});
