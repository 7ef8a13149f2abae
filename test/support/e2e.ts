import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import postgres from "postgres";
import Stripe from "stripe";
import type { CaughtMail } from "../../server/mail-catcher";
import { localWebhookSecret } from "../../server/stripe-target";

/** The e2e portal's data folder and mail catcher, set by playwright.config.ts. */
const dataDir = () => process.env.E2E_DATA_DIR!;
const mailUrl = () => process.env.E2E_MAIL_URL!;
const stripeUrl = () => process.env.E2E_STRIPE_URL!;

/** A unique address per test run, so parallel tests never meet. */
export function uniqueEmail(name: string): string {
  return `${name}-${randomBytes(4).toString("hex")}@example.com`;
}

/**
 * Each test speaks as its own client address (the portal trusts X-Forwarded-For from a loopback
 * proxy), so per-address rate limits count each test separately, as they would real visitors.
 */
export function clientAddress(): Record<string, string> {
  const b = randomBytes(3);
  return { "X-Forwarded-For": `10.${b[0]}.${b[1]}.${b[2]}` };
}

/** Waits for the portal's worker to deliver a mail to the catcher over SMTP. */
export async function waitForEmail(to: string, subject: RegExp): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect(async () => {
    const messages = (await (await fetch(`${mailUrl()}/messages.json`)).json()) as CaughtMail[];
    found = messages.find((mail) => mail.to.includes(to.toLowerCase()) && subject.test(mail.subject));
    expect(found, `an email to ${to} matching ${subject}`).toBeDefined();
  }).toPass({ timeout: 15_000 });
  return found!;
}

/** The path and query of the first portal link in a mail, to open in the test's browser. */
export function linkIn(mail: CaughtMail, pathPrefix: string): string {
  const match = new RegExp(`https?://[^\\s]+?(${pathPrefix.replace(/[/?]/g, "\\$&")}[^\\s]*)`).exec(mail.text);
  if (!match?.[1]) throw new Error(`No ${pathPrefix} link in:\n${mail.text}`);
  return match[1];
}

/** Moves the e2e portal's Stripe emulator forward: renewals, retries and period ends fall due. */
export async function advanceStripeClock(days: number): Promise<void> {
  const response = await fetch(`${stripeUrl()}/_emulator/advance_time`, {
    method: "POST",
    headers: { Authorization: "Bearer sk_test_emulator", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ seconds: String(Math.round(days * 86_400)) }),
  });
  if (!response.ok) throw new Error(`advance_time answered ${response.status}: ${await response.text()}`);
}

/** The secret the e2e portal verifies Stripe-Signature with (kept in its data folder, as `npm start` makes it). */
export function stripeWebhookSecret(): Promise<string> {
  return localWebhookSecret(dataDir());
}

export function demoStaffLogin(): { email: string; password: string } {
  return JSON.parse(readFileSync(path.join(dataDir(), "demo-staff-login.json"), "utf8"));
}

/** The e2e portal's own database, for checking that nothing was saved. */
export async function withDatabase<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const password = readFileSync(path.join(dataDir(), "postgres-password"), "utf8").trim();
  const port = readFileSync(path.join(dataDir(), "postgres/postmaster.pid"), "utf8").split("\n")[3];
  const sql = postgres(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, { max: 1 });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

/**
 * Waits until the worker has run the account's queued refresh (a trial started or an order paid
 * queues one, ADR 22), so rows a test writes into `account_success` and `health_snapshots` are not
 * overwritten or collided with by it afterwards.
 */
export async function refreshSettled(accountId: string): Promise<void> {
  await expect(async () => {
    const queued = await withDatabase(
      (sql) => sql`select 1 from graphile_worker.jobs where key = ${`cs_refresh_account:${accountId}`}`,
    );
    expect(queued, "the account's refresh job still waiting").toHaveLength(0);
  }).toPass({ timeout: 15_000 });
}

/** Logs in; unless told the attempt should fail, waits until the portal has moved on from the login page. */
export async function logIn(page: Page, email: string, password: string, { expectFailure = false } = {}) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  if (expectFailure) await expect(page.getByRole("alert")).toBeVisible();
  else await page.waitForURL((url) => url.pathname !== "/login");
}

/** Signs up and confirms the address through the emailed link. */
export async function signUpAndVerify(
  page: Page,
  person: { name: string; email: string; password: string; company: string },
) {
  await page.goto("/signup");
  await fillSignUpAndConfirm(page, person);
}

/** Fills the sign-up form the page is on (wherever it led from) and follows the emailed confirmation link. */
export async function fillSignUpAndConfirm(
  page: Page,
  person: { name: string; email: string; password: string; company: string },
) {
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Work email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByLabel("Company name").fill(person.company);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const mail = await waitForEmail(person.email, /Confirm your email/);
  await page.goto(linkIn(mail, "/verify-email?token="));
  await expect(page.getByText("Your email address is confirmed")).toBeVisible();
}

const E2E_PASSWORD = "a long enough password";

/** A new customer, signed up, confirmed and logged in, with a company of their own. */
export async function newCustomer(page: Page, name: string) {
  const person = {
    name,
    email: uniqueEmail(name.toLowerCase()),
    password: E2E_PASSWORD,
    company: `${name} Co ${randomBytes(3).toString("hex")}`,
  };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, person.password);
  return person;
}

/** Orders a plan and pays for it on the emulator's hosted Checkout; leaves the browser on the order page. */
export async function buyPlan(
  page: Page,
  order: { plan: string; seats?: number; interval?: "month" | "year"; card?: string },
) {
  await page.goto(`/orders/new?plan=${order.plan}`);
  if (order.interval) await page.getByLabel("Billing").selectOption(order.interval);
  if (order.seats) await page.getByLabel("Users").fill(String(order.seats));
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.getByLabel("Card number").fill(order.card ?? "4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?session_id=cs_/);
}

/**
 * The demo staff member, signed in in a browser context of their own, on the request page of the
 * company's setup waiting for staff (found through the queue's filter, as a person finds it).
 */
export async function staffOnWaitingSetup(browser: Browser, company: string) {
  const context = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await context.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.getByRole("link", { name: "Provisioning" }).click();
  await staffPage.getByLabel("Status").selectOption("waiting_staff");
  await staffPage.getByRole("button", { name: "Filter" }).click();
  await staffPage.getByTestId("queue-row").filter({ hasText: company }).getByRole("link").click();
  return { context, staffPage };
}

/** A staff member claims the company's setup waiting in the queue and completes it with these fields. */
export async function completeManualSetup(
  browser: Browser,
  company: string,
  heading: string,
  fields: Record<string, string>,
) {
  const { context, staffPage } = await staffOnWaitingSetup(browser, company);
  await expect(staffPage.getByRole("heading", { level: 1 })).toHaveText(heading);
  await staffPage.getByRole("button", { name: "Claim" }).click();
  await expect(staffPage.getByText("Claimed by you")).toBeVisible();
  for (const [label, value] of Object.entries(fields)) await staffPage.getByLabel(label).fill(value);
  await staffPage.getByRole("button", { name: "Complete" }).click();
  await expect(staffPage.getByTestId("request-status")).toHaveText("Ready");
  await context.close();
}

/** The official SDK pointed at the e2e portal's Stripe emulator, to check what Stripe holds. */
export function e2eStripe(): Stripe {
  const url = new URL(stripeUrl());
  return new Stripe("sk_test_emulator", {
    host: url.hostname,
    port: Number(url.port),
    protocol: "http",
    maxNetworkRetries: 0,
  });
}

/** Serious and critical axe findings on the page as it is now. */
export async function severeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * Full-page screenshots at 375 and 1280 px wide into the test's output folder (`<name>-<width>.png`),
 * failing if the page scrolls sideways at either width.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}.png`), fullPage: true });
  }
}
