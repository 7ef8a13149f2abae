import { expect, test } from "@playwright/test";
import { clientAddress, linkIn, newCustomer, waitForEmail, withDatabase } from "../support/e2e";

// Issue 15: a trial owner's getting-started email links to a page that unsubscribes without a login,
// and mail providers' one-click POST (RFC 8058) works from their own origin, without cookies.

test.use({ extraHTTPHeaders: clientAddress() });

test("the getting-started email's link unsubscribes and subscribes again; a mail provider's one-click POST works", async ({
  page,
  playwright,
}) => {
  const person = await newCustomer(page, "Una");
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(
    page.getByTestId("service-request").filter({ hasText: "Set up: Starter" }).getByTestId("request-status"),
  ).toHaveText("Ready", { timeout: 10_000 });
  // The sweep runs every 10 minutes; the test runs it now.
  await withDatabase((sql) => sql`select graphile_worker.add_job('lifecycle_emails_sweep')`);
  const mail = await waitForEmail(person.email, /Getting started with your Starter trial/);
  expect(mail.text).toContain("1. Create your first project");
  const link = linkIn(mail, "/unsubscribe/");
  expect(mail.headers["list-unsubscribe"]).toMatch(new RegExp(`^<https?://[^>]+${link}>$`));

  // A new browser, signed in as nobody: the link alone is the authority.
  const anonymous = await page.context().browser()!.newContext({ extraHTTPHeaders: clientAddress() });
  const linkPage = await anonymous.newPage();
  await linkPage.goto(link);
  await expect(linkPage.getByRole("heading", { name: "Stop getting-started tips?" })).toBeVisible();
  await expect(
    linkPage.getByText(`Una (${person.email}) receives getting-started tips for ${person.company}`),
  ).toBeVisible();
  await linkPage.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(linkPage.getByRole("heading", { name: "You are unsubscribed" })).toBeVisible();
  await expect(linkPage.getByText("Emails about your account, orders and payments still arrive.")).toBeVisible();
  await linkPage.getByRole("button", { name: "Subscribe again" }).click();
  await expect(linkPage.getByRole("status")).toHaveText("You are subscribed again: the tips arrive as before.");
  await expect(linkPage.getByRole("button", { name: "Unsubscribe" })).toBeVisible();

  // A mail provider's one-click POST, without cookies: from its servers (no Origin) and from a
  // webmail page (another origin), which may only unsubscribe.
  const origin = new URL(page.url()).origin;
  const oneClick = { form: { "List-Unsubscribe": "One-Click" } };
  const server = await playwright.request.newContext({ baseURL: origin, extraHTTPHeaders: clientAddress() });
  expect((await server.post(link, oneClick)).status()).toBe(200);
  await server.dispose();
  await linkPage.reload();
  await expect(linkPage.getByRole("heading", { name: "You are unsubscribed" })).toBeVisible();
  await linkPage.getByRole("button", { name: "Subscribe again" }).click();
  await expect(linkPage.getByRole("button", { name: "Unsubscribe" })).toBeVisible();

  const webmail = await playwright.request.newContext({
    baseURL: origin,
    extraHTTPHeaders: { ...clientAddress(), Origin: "https://mail.provider.example" },
  });
  const crossSite = await webmail.post(link, oneClick);
  expect(crossSite.status()).toBe(200);
  expect(await crossSite.text()).toBe("You are unsubscribed from these emails.");
  // Another origin can do nothing else: not subscribe again here, nor send any other form.
  expect((await webmail.post(link, { form: { intent: "resubscribe" } })).status()).toBe(403);
  expect((await webmail.post("/forgot-password", { form: { email: person.email } })).status()).toBe(403);
  await webmail.dispose();
  await linkPage.reload();
  await expect(linkPage.getByRole("heading", { name: "You are unsubscribed" })).toBeVisible();

  // A changed link is refused in words.
  await linkPage.goto(`${link.slice(0, -3)}xyz`);
  await expect(linkPage.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await anonymous.close();
});
