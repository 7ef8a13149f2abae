import { expect, test, type Page } from "@playwright/test";
import { SITE_NAME } from "../../app/lib/site";
import { demoCatalog } from "../../db/seed/demo-catalog";
import {
  budgets,
  companySizes,
  complianceNeeds,
  timelines,
  useCases,
} from "../../app/modules/qualification/questionnaire";
import { clientAddress, demoStaffLogin, logIn, newCustomer } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

/** The signed-in areas. */
const SIGNED_IN = /^\/(account|orders|orgs|staff)(\/|$)/;

/** Pages search engines must not index: sign-in flows, emailed links, personal answers and signed-in areas. */
const NOINDEX = [
  /^\/login$/,
  /^\/forgot-password$/,
  /^\/reset-password$/,
  /^\/check-email$/,
  /^\/verify-email$/,
  /^\/confirm-email-change$/,
  /^\/invitations\//,
  /^\/unsubscribe\//,
  /^\/qualify\/results\//,
  SIGNED_IN,
];

/** Query strings that leave the content as it is: each page's canonical URL is its bare path. */
const WITH_QUERY = [
  "/?utm_source=ads",
  "/pricing?interval=year&utm_source=ads",
  "/plans/team?utm_campaign=autumn",
  "/signup?plan=team",
  "/contact-sales?plan=enterprise",
  "/login?redirectTo=%2Faccount",
];

/** Logged-out pages no link leads to: people arrive from a form or an emailed link (here an unknown token). */
const UNLINKED = [
  "/check-email?reason=reset",
  "/reset-password?token=unknown",
  "/verify-email?token=unknown",
  "/confirm-email-change?token=unknown",
  "/invitations/unknown",
  "/unsubscribe/unknown",
];

type PageFacts = {
  title: string;
  descriptions: string[];
  canonicals: string[];
  robots: string[];
  h1Count: number;
  lang: string | null;
  links: string[];
};

/**
 * Keys people must never read (issue 14, item 6): any snake_case word, the questionnaire's answer
 * codes, and the catalog's feature and result keys also in the shapes a lazy
 * `replaceAll("_", " ")` gives them ("storage gb", "Workspace Url").
 */
const resultKeys = demoCatalog.plans.flatMap((plan) =>
  ((plan.provisioningConfig?.resultFields ?? []) as { key: string }[]).map((field) => field.key),
);
const catalogKeys = [...demoCatalog.features.map((feature) => feature.key), ...resultKeys].filter((key) =>
  key.includes("_"),
);
const spaced = (key: string) => key.replaceAll("_", " ");
const titled = (key: string) => spaced(key).replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const KEY_TEXT = new RegExp(
  [
    // An ingest key's clear prefix ("pik_3fQ9…", INGEST_KEY_PREFIX) tells keys apart on purpose; its
    // random part is sometimes all lower case and digits (about 1 in 30), which makes it no slug.
    String.raw`\b(?!pik_)[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`,
    ...[...useCases, ...complianceNeeds, ...budgets, ...timelines]
      .filter((code) => code.includes("_"))
      .map((code) => String.raw`\b${escape(code)}\b`),
    // Company sizes are written with a hyphen ("11-50", "1000+"); their labels use an en dash.
    ...companySizes.map((code) => String.raw`(?<![\w–-])${escape(code)}(?![\w–-])`),
    // Lower case only where the words hold an abbreviation: "dedicated instance" is also plain prose.
    ...[
      ...new Set(
        catalogKeys.flatMap((key) => [titled(key), ...(/(^|_)(gb|api|eu|url)(_|$)/.test(key) ? [spaced(key)] : [])]),
      ),
    ].map((form) => `\\b${escape(form)}\\b`),
  ].join("|"),
);

/** Opens a page and checks the rules every page follows; returns the links on it. */
async function checkPage(page: Page, url: string, baseURL: string, { linked = true } = {}): Promise<string[]> {
  const asked = new URL(url, baseURL);
  const label = `${asked.pathname}${asked.search}`;
  const response = await page.goto(asked.href);
  // A link must lead somewhere; an unlinked page may answer 400 or 404 for its unknown token.
  if (linked) expect.soft(response?.status(), `${label}: status`).toBe(200);
  expect(response?.headers()["content-type"], `${label}: content type`).toContain("text/html");
  const path = new URL(page.url()).pathname;
  const facts: PageFacts = await page.evaluate(() => ({
    title: document.title,
    descriptions: [...document.querySelectorAll('meta[name="description"]')].map((m) => m.getAttribute("content")!),
    canonicals: [...document.querySelectorAll('link[rel="canonical"]')].map((l) => l.getAttribute("href")!),
    robots: [...document.querySelectorAll('meta[name="robots"]')].map((m) => m.getAttribute("content")!),
    h1Count: document.querySelectorAll("h1").length,
    lang: document.documentElement.getAttribute("lang"),
    links: [...document.querySelectorAll<HTMLAnchorElement>("a[href]")].map((a) => a.href),
  }));
  expect.soft(facts.title, `${label}: title`).toContain(SITE_NAME);
  expect.soft(facts.descriptions, `${label}: one meta description`).toHaveLength(1);
  expect.soft(facts.descriptions[0], `${label}: description of 50 to 160 characters`).toMatch(/^.{50,160}$/s);
  expect.soft(facts.canonicals, `${label}: canonical URL without query`).toEqual([`${baseURL}${path}`]);
  expect.soft(facts.h1Count, `${label}: h1 elements`).toBe(1);
  expect.soft(facts.lang, `${label}: html lang`).toBeTruthy();
  const noindex = facts.robots.some((content) => /\bnoindex\b/.test(content));
  expect.soft(noindex, `${label}: noindex`).toBe(NOINDEX.some((pattern) => pattern.test(path)));
  // Words, not keys: the visible text names no key (the HTML may, in ids, values and URLs).
  const text = await page.locator("body").innerText();
  expect.soft(text.match(KEY_TEXT)?.[0], `${label}: text shows a key`).toBeUndefined();
  // Dates in words ("4 December 2026"), never as a machine writes them; CSV files keep ISO 8601.
  expect.soft(text.match(/\b\d{4}-\d{2}-\d{2}\b/)?.[0], `${label}: text shows an ISO date`).toBeUndefined();
  // At 375 px nothing scrolls sideways: wide content scrolls inside its own box.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect.soft(widths.scroll, `${label}: page width at 375 px`).toBeLessThanOrEqual(widths.inner);
  if (viewport) await page.setViewportSize(viewport);
  return facts.links;
}

/** One visit per page: query strings are dropped and ids stand for every record of their kind. */
function pageKey(url: URL): string {
  return url.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ":id");
}

/** Visits every page reachable by links from the start pages, breadth-first; returns the visited keys. */
async function crawl(
  page: Page,
  baseURL: string,
  startPaths: string[],
  follow: (path: string) => boolean = () => true,
): Promise<string[]> {
  const origin = new URL(baseURL).origin;
  const seen = new Set<string>();
  const queue: URL[] = [];
  const enqueue = (href: string) => {
    const url = new URL(href, baseURL);
    url.hash = "";
    if (url.origin !== origin || url.pathname === "/logout" || /\.[a-z0-9]+$/i.test(url.pathname)) return;
    if (!follow(url.pathname) || seen.has(pageKey(url))) return;
    seen.add(pageKey(url));
    queue.push(url);
  };
  startPaths.forEach(enqueue);
  for (let url = queue.shift(); url; url = queue.shift()) {
    (await checkPage(page, url.href, baseURL)).forEach(enqueue);
  }
  return [...seen];
}

test("every page an anonymous visitor reaches has a title, description, canonical URL, one h1 and the right robots rule", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const visited = await crawl(page, baseURL!, ["/"]);
  expect(visited).toEqual(
    expect.arrayContaining([
      "/",
      "/pricing",
      "/plans/team",
      "/qualify",
      "/signup",
      "/login",
      "/forgot-password",
      "/contact-sales",
    ]),
  );
  for (const url of WITH_QUERY) await checkPage(page, url, baseURL!);
  for (const url of UNLINKED) await checkPage(page, url, baseURL!, { linked: false });
});

/** Answers the questionnaire with a must-have and a compliance need; leaves the browser on the result. */
async function answerQuestionnaire(page: Page) {
  await page.goto("/qualify");
  await page.getByRole("group", { name: "How many people work at your company?" }).getByLabel("1–10 people").check();
  await page
    .getByRole("group", { name: "What will you mainly use it for?" })
    .getByLabel("Planning and tracking projects")
    .check();
  await page.getByLabel("How many people need access?").fill("11");
  await page.getByRole("group", { name: "What is your monthly budget?" }).getByLabel("$100–$500 a month").check();
  await page
    .getByRole("group", { name: "When do you want to start?" })
    .getByLabel("Right away", { exact: true })
    .check();
  await page
    .getByRole("group", { name: "Which capabilities are must-haves?" })
    .getByLabel("Workflow automations")
    .check();
  await page
    .getByRole("group", { name: "Any data-location, security or compliance needs?" })
    .getByLabel("EU data residency")
    .check();
  await page.getByRole("button", { name: "See my answer" }).click();
  await expect(page).toHaveURL(/\/qualify\/results\/[0-9a-f-]{36}$/);
}

test("a qualification answer is not indexed", async ({ page, baseURL }) => {
  await answerQuestionnaire(page);
  await checkPage(page, page.url(), baseURL!);
});

test("signed-in customers' and staff pages follow the same rules and are not indexed", async ({
  page,
  browser,
  baseURL,
}) => {
  test.slow();
  const signedIn = (path: string) => SIGNED_IN.test(path);
  await newCustomer(page, "Crawl");
  // A trial (limits, features, access details) and a lead with every kind of answer, so the
  // crawls reach a trial card, an account and a lead page with something to put in words.
  await page.goto("/plans/team");
  await page.getByRole("button", { name: "Start free trial" }).click();
  await expect(page.getByTestId("trial")).toContainText("File storage: 200 GB");
  await answerQuestionnaire(page);
  expect(await crawl(page, baseURL!, ["/account", "/orders/new?plan=team"], signedIn)).toEqual(
    expect.arrayContaining(["/account", "/account/settings", "/account/billing", "/orgs/:id/members", "/orders/new"]),
  );

  const context = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await context.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  expect(await crawl(staffPage, baseURL!, ["/staff"], signedIn)).toEqual(
    expect.arrayContaining([
      "/staff",
      "/staff/provisioning",
      "/staff/trials",
      "/staff/trials/call",
      "/staff/accounts",
      "/staff/accounts/:id",
      "/staff/leads",
      "/staff/leads/:id",
    ]),
  );
  await context.close();
});
