import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import postgres from "postgres";
import type { CaughtMail } from "../../server/mail-catcher";

/** The e2e portal's data folder and mail catcher, set by playwright.config.ts. */
const dataDir = () => process.env.E2E_DATA_DIR!;
const mailUrl = () => process.env.E2E_MAIL_URL!;

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
export async function signUpAndVerify(page: Page, person: { name: string; email: string; password: string; company: string }) {
  await page.goto("/signup");
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
