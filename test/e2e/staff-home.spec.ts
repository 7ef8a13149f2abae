import { expect, test } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, screenshots, severeViolations, withDatabase } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

/**
 * Rows other helpers' jobs write (account_success by the health job, cs_tasks by the playbooks) are
 * inserted directly here: this spec is about what the staff home and the portfolio show of them.
 */
async function seedDay(company: string, staffEmail: string) {
  return withDatabase(async (sql) => {
    const [staff] = await sql<{ id: string }[]>`select id from users where email = ${staffEmail}`;
    const [account] = await sql<{ id: string }[]>`insert into organisations (name) values (${company}) returning id`;
    const domain = `${company.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example`;
    await sql`update account_success set stage = 'onboarding', stage_day = 12, health_score = 41, health_band = 'red',
      health_change_7d = -19, health_dropped_at = now(), plan_slugs = '{team}', mrr_minor = 4900, currency = 'usd',
      assigned_staff_id = ${staff!.id}, attention = 0,
      search = ${`${company.toLowerCase()} owner@${domain} ${domain}`} where account_id = ${account!.id}`;
    await sql`insert into cs_tasks (account_id, assignee_id, title, reason, link, due_at)
      values (${account!.id}, ${staff!.id}, ${`Call ${company}`}, 'Health dropped 19 points', '/staff', '2001-01-01')`;
    const snapshot = {
      productSlug: "p",
      planSlug: "team",
      planName: "Team",
      seats: 3,
      limits: {},
      features: [],
      trialEndsAt: null,
    };
    const [instance] = await sql<
      { id: string }[]
    >`insert into service_instances (account_id, product_slug, plan_slug, snapshot)
      values (${account!.id}, 'p', 'team', ${sql.json(snapshot)}) returning id`;
    await sql`insert into provisioning_requests (account_id, instance_id, operation, status, provisioner, snapshot,
      max_attempts, sla_due_at, idempotency_key)
      values (${account!.id}, ${instance!.id}, 'provision', 'waiting_staff', 'manual', ${sql.json(snapshot)}, 1,
      '2000-01-01', ${`e2e-home:${account!.id}`})`;
    const [lead] = await sql<
      { id: string }[]
    >`insert into leads (answers, verdict, score, result, organisation_id, contact_requested_at)
      values ('{}', 'talk_to_us', 90, '{}', ${account!.id}, now()) returning id`;
    await sql`insert into contact_requests (lead_id, email, message) values (${lead!.id}, ${`owner@${domain}`}, 'Call us')`;
    return { accountId: account!.id, domain };
  });
}

test("a staff member's day: counts that link to their lists, what needs attention, the daily email toggle", async ({
  page,
}) => {
  const company = `Dayfold ${Date.now()}`;
  const staff = demoStaffLogin();
  const { accountId, domain } = await seedDay(company, staff.email);
  await logIn(page, staff.email, staff.password);
  await page.goto("/staff");
  await expect(page.getByRole("heading", { level: 1, name: "Your day" })).toBeVisible();
  const mine = page.getByTestId("my-tasks");
  await expect(mine).toContainText(`Call ${company}`);
  await expect(mine).toContainText("overdue");
  await expect(page.getByTestId("health-dropped")).toContainText(`${company}: Poor, 41, down 19 in 7 days`);
  const attention = page.getByTestId("attention");
  // Other specs' set-ups may be just as overdue; this one's must be listed among them.
  await expect(
    attention.getByRole("listitem").filter({ hasText: company }).filter({ hasText: "waiting for staff" }),
  ).toHaveCount(1);
  await expect(attention.getByRole("listitem").filter({ hasText: `owner@${domain}` })).toContainText(
    "asked to be contacted",
  );
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "staff-home");

  // The counts link to their filtered lists.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("setups-waiting-staff").getByRole("link").click();
  await expect(page).toHaveURL(/\/staff\/provisioning\?status=waiting_staff$/);
  await page.goBack();
  await page.getByTestId("contact-requests").getByRole("link").click();
  await expect(page).toHaveURL(/\/staff\/leads\?contact=requested$/);
  await expect(page.getByLabel("Contact")).toHaveValue("requested");
  await page.goBack();
  await page.getByTestId("health-dropped").getByRole("link").first().click();
  await expect(page).toHaveURL(/\/staff\/accounts\?dropped=recent$/);
  await expect(page.getByTestId("account-row").filter({ hasText: company })).toBeVisible();
  await page.goto("/staff");

  // The daily email: off, then on again (the state other tests find).
  await page.getByRole("button", { name: "Stop the daily email" }).click();
  await expect(page.getByTestId("digest-state")).toHaveText("You do not get the daily email.");
  await page.getByRole("button", { name: "Send me the daily email" }).click();
  await expect(page.getByTestId("digest-state")).toContainText("You get this summary by email");
  expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
});

test("the portfolio: search by domain, filters in a GET form with chips, CSV of the filtered list", async ({
  page,
}) => {
  const company = `Portfold ${Date.now()}`;
  const staff = demoStaffLogin();
  const { domain } = await seedDay(company, staff.email);
  await logIn(page, staff.email, staff.password);
  await page.goto("/staff/accounts");
  await page.getByLabel("Name, email or domain").fill(domain);
  await page.getByLabel("Stage").selectOption("onboarding");
  await page.getByLabel("Health", { exact: true }).selectOption("red");
  await page.getByLabel("Assigned to").selectOption("me");
  await page.getByRole("button", { name: "Show accounts" }).click();
  await expect(page).toHaveURL(/stage=onboarding/);
  const row = page.getByTestId("account-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(company);
  await expect(row).toContainText("Onboarding, day 12 of 90");
  await expect(row).toContainText("Poor, 41");
  await expect(row).toContainText("down 19 in 7 days");
  await expect(row).toContainText("Team");
  await expect(row).toContainText("$49");
  const chips = page.getByTestId("filter-chips");
  await expect(chips).toContainText(`Search: ${domain}`);
  await expect(chips).toContainText("Stage: Onboarding");
  await expect(chips).toContainText("Health: Poor");
  await expect(chips).toContainText("Assigned to me");
  expect(await severeViolations(page)).toEqual([]);
  await screenshots(page, "portfolio");

  const csvHref = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  expect(csvHref).toContain("stage=onboarding");
  const csv = await page.request.get(csvHref!);
  expect(csv.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const text = await csv.text();
  expect(text.split("\r\n")[0] ?? text.split("\n")[0]).toContain("Account,Owner email,Stage,Health");
  expect(text).toContain(`${company},,"Onboarding, day 12 of 90",Poor,41,down 19 in 7 days,Team,49.00,USD`);

  // A chip removes its filter and keeps the others.
  await chips.getByRole("link", { name: /Stage: Onboarding/ }).click();
  await expect(page).not.toHaveURL(/stage=/);
  await expect(page).toHaveURL(/band=red/);
  await expect(page.getByTestId("account-row")).toContainText(company);
});
