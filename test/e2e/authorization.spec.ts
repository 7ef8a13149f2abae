import { expect, test } from "@playwright/test";
import {
  clientAddress,
  demoStaffLogin,
  linkIn,
  logIn,
  signUpAndVerify,
  uniqueEmail,
  waitForEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const password = "a long enough password";

test("anonymous visitors are sent to log in, and come back afterwards", async ({ page }) => {
  const person = { name: "Vic", email: uniqueEmail("vic"), password, company: "Vic Co" };
  // The staff console is not advertised: no login page for it, just the 404 of any unknown address.
  const staffHome = await page.goto("/staff");
  expect(staffHome?.status()).toBe(404);
  await expect(page).toHaveURL(/\/staff$/);
  await signUpAndVerify(page, person);
  await page.goto("/account/settings");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Faccount%2Fsettings$/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account\/settings$/);
  // Signed in, public pages show the person's menu and are never stored by shared caches.
  const pricing = await page.goto("/pricing");
  expect(pricing?.headers()["cache-control"]).toBe("private, no-cache");
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  await page.goto("/staff");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a customer cannot open staff pages nor another organisation's pages, even by editing ids", async ({
  page,
  browser,
}) => {
  const other = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const otherPage = await other.newPage();
  const victim = { name: "Val", email: uniqueEmail("val"), password, company: "Victim Corp" };
  await signUpAndVerify(otherPage, victim);
  await other.close();
  const [victimOrg] = await withDatabase(
    (sql) =>
      sql<
        { id: string }[]
      >`select o.id from organisations o join users u on u.id = o.created_by where u.email = ${victim.email}`,
  );
  const [anyLead] = await withDatabase(
    (sql) =>
      sql<
        { id: string }[]
      >`insert into leads (answers, verdict, score, result) values ('{}', 'fits', 1, '{}') returning id`,
  );

  const me = { name: "Mo", email: uniqueEmail("mo"), password, company: "Mo Co" };
  await signUpAndVerify(page, me);
  await logIn(page, me.email, password);
  for (const path of [
    "/staff",
    "/staff/leads",
    `/staff/leads/${anyLead!.id}`,
    `/orgs/${victimOrg!.id}/members`,
    "/orgs/not-an-id/members",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
  await expect(page.getByText("Victim Corp")).toHaveCount(0);

  // Posting straight to another organisation's forms is refused the same way, and changes nothing.
  const invite = await page.request.post(`/orgs/${victimOrg!.id}/members`, {
    form: { intent: "invite", email: "spy@example.com", role: "owner" },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(invite.status()).toBe(404);
  const switched = await page.request.post("/account?index", {
    form: { intent: "switch", organisationId: victimOrg!.id },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(switched.status()).toBe(404);
  const invitations = await withDatabase(
    (sql) => sql`select count(*)::int as n from invitations where email = 'spy@example.com'`,
  );
  expect(invitations[0]?.n).toBe(0);
});

test("a form posted from another site is refused", async ({ request }) => {
  const response = await request.post("/login", {
    form: { email: "a@example.com", password: "whatever password" },
    headers: { Origin: "https://evil.example" },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain("Cross-site form submissions are not allowed");
});

test("staff admins manage the team; staff do support work but not the admins' part", async ({ page, browser }) => {
  const admin = demoStaffLogin();
  await logIn(page, admin.email, admin.password);
  await page.getByRole("link", { name: "Team", exact: true }).click();
  const member = { name: "Sue Pport", email: uniqueEmail("support") };
  await page.getByLabel("Name").fill(member.name);
  await page.getByLabel("Email").fill(member.email);
  await page.getByRole("button", { name: "Add to staff" }).click();
  await expect(page.getByRole("status")).toHaveText(
    `${member.email} is on staff now. We emailed them a link to choose a password.`,
  );
  await expect(page.getByTestId("team-member").filter({ hasText: member.email })).toBeVisible();

  // The new staff member chooses a password through the emailed link and logs in.
  const context = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await context.newPage();
  await staffPage.goto(linkIn(await waitForEmail(member.email, /Reset your/), "/reset-password?token="));
  await staffPage.getByLabel("New password").fill(password);
  await staffPage.getByRole("button", { name: "Save the new password" }).click();
  await logIn(staffPage, member.email, password);
  await expect(staffPage).toHaveURL(/\/staff$/);
  await expect(staffPage.getByRole("link", { name: "Leads" })).toBeVisible();
  await expect(staffPage.getByRole("link", { name: "Team", exact: true })).toHaveCount(0);
  const team = await staffPage.goto("/staff/team");
  expect(team?.status()).toBe(404);
  const origin = new URL(staffPage.url()).origin;
  const promote = await staffPage.request.post("/staff/team", {
    form: { intent: "add", name: "Spy", email: uniqueEmail("spy"), role: "admin" },
    headers: { Origin: origin },
  });
  expect(promote.status()).toBe(404);
  const [organisation] = await withDatabase((sql) => sql<{ id: string }[]>`select id from organisations limit 1`);
  const grant = await staffPage.request.post(`/staff/accounts/${organisation!.id}`, {
    form: { intent: "grant-trial", reason: "a friend asked" },
    headers: { Origin: origin },
  });
  expect(grant.status()).toBe(403);
  await staffPage.goto(`/staff/accounts/${organisation!.id}`);
  await expect(staffPage.getByRole("button", { name: "Allow another trial" })).toHaveCount(0);

  // The admin removes the access: the next request of the member's session finds no console.
  await page
    .getByTestId("team-member")
    .filter({ hasText: member.email })
    .getByRole("button", { name: "Remove from staff" })
    .click();
  await expect(page.getByRole("status")).toHaveText(`${member.email} is no longer on staff.`);
  expect((await staffPage.goto("/staff"))?.status()).toBe(404);
  await context.close();
});
