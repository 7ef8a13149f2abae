import { expect, test, type Page } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn, newCustomer } from "../support/e2e";

// Rule: no response to a non-staff visitor names a staff route. Remix's lazy route discovery
// (`/__manifest?p=…`) answers with the routes a path needs; for a staff path that answer must read
// like the answer for a path that does not exist, unless the visitor is staff.

test.use({ extraHTTPHeaders: clientAddress() });

/** The client build's manifest version, which /__manifest requires. */
async function manifestVersion(page: Page): Promise<string> {
  await page.goto("/pricing");
  return page.evaluate(() => (window as unknown as { __remixManifest: { version: string } }).__remixManifest.version);
}

const staffQueries = [
  ["/staff"],
  ["/staff/leads"],
  ["/staff/team"],
  ["/staff/accounts/00000000-0000-4000-8000-000000000000"],
  ["/STAFF/Leads"],
  ["/%73taff/leads"],
  ["staff/provisioning"],
  ["/pricing", "/staff/trials", "/plans/team"],
];

function manifestUrl(version: string, paths: string[], encoded = false): string {
  const query = paths.map((p) => `p=${encoded ? encodeURIComponent(p) : p}`).join("&");
  return `/__manifest?${query}&version=${encodeURIComponent(version)}`;
}

async function expectNoStaffRoute(page: Page, version: string) {
  const unknown = await (await page.request.get(manifestUrl(version, ["/no-such-page"]))).json();
  for (const paths of staffQueries) {
    for (const encoded of [false, true]) {
      const response = await page.request.get(manifestUrl(version, paths, encoded));
      expect(response.status()).toBe(200);
      const body = await response.text();
      expect(body, paths.join(" ")).not.toMatch(/staff/i);
      if (paths.length === 1) expect(JSON.parse(body), paths[0]).toEqual(unknown);
    }
  }
  // The pages themselves, and their data as Remix's client asks for it: a 404 like any unknown address.
  for (const path of ["/staff", "/staff/team", "/Staff/Leads", "/%73taff/leads", "/staff.data", "/staff/leads.data"]) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(404);
    expect(response.headers()["location"], path).toBeUndefined();
    // No staff route id, module file or link (the root's data says `staff: false` for customers).
    expect(await response.text(), path).not.toMatch(/routes\/staff|assets\/staff|\/staff[/"]/i);
  }
  // A form posted to the console is answered as one posted to an address that does not exist.
  const origin = { Origin: new URL(page.url()).origin };
  const unknownPost = await page.request.post("/no-such-page", { form: { intent: "add" }, headers: origin });
  for (const path of ["/staff/team", "/staff/team.data"]) {
    const response = await page.request.post(path, { form: { intent: "add" }, headers: origin, maxRedirects: 0 });
    expect(response.status(), path).toBe(unknownPost.status());
    expect(await response.text(), path).not.toMatch(/routes\/staff|assets\/staff|\/staff[/"]/i);
  }
}

test("anonymous visitors and customers are never told of a staff route", async ({ page }) => {
  const version = await manifestVersion(page);
  await expectNoStaffRoute(page, version);
  await newCustomer(page, "Nosy");
  await expectNoStaffRoute(page, version);
});

test("staff still discover the console's routes as they navigate", async ({ page }) => {
  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await expect(page).toHaveURL(/\/staff$/);
  const version = await page.evaluate(
    () => (window as unknown as { __remixManifest: { version: string } }).__remixManifest.version,
  );
  const answer = await page.request.get(manifestUrl(version, ["/staff/leads"]));
  expect(Object.keys(await answer.json())).toContain("routes/staff.leads._index");
  expect(answer.headers()["cache-control"]).toBe("private, no-cache");
  // Client-side navigation (no document load) needs the discovered routes.
  let documentLoads = 0;
  page.on("request", (request) => {
    if (request.resourceType() === "document") documentLoads += 1;
  });
  await page.getByRole("link", { name: "Leads" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Leads" })).toBeVisible();
  await page.getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
  expect(documentLoads).toBe(0);
});
