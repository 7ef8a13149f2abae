import { expect, test } from "@playwright/test";
import { demoCatalog } from "../../db/seed/demo-catalog";

test("pages carry a title, a description, a canonical URL and Open Graph tags", async ({ page, baseURL }) => {
  for (const [path, title] of [
    ["/", demoCatalog.tagline],
    ["/pricing", "Pricing and plans"],
    ["/plans/team", "Team plan"],
  ] as const) {
    await page.goto(`${path}${path === "/pricing" ? "?interval=year&utm_source=ads" : ""}`);
    await expect(page).toHaveTitle(new RegExp(title));
    await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", /.{50,}/);
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute("href", `${baseURL}${path}`);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", new RegExp(title));
    await expect(page.locator('meta[property="og:url"]')).toHaveAttribute("content", `${baseURL}${path}`);
  }
});

test("the pricing page describes the product and an offer per plan and interval in JSON-LD", async ({ page }) => {
  await page.goto("/pricing");
  const jsonLd = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? "{}");
  expect(jsonLd["@type"]).toBe("Product");
  expect(jsonLd.name).toBe(demoCatalog.name);
  expect(jsonLd.offers).toHaveLength(demoCatalog.plans.length * 2);
  expect(jsonLd.offers).toContainEqual(
    expect.objectContaining({ name: "Team (yearly)", price: "240.00", priceCurrency: "USD" }),
  );
});

test("the sitemap lists the public pages and robots.txt points at it", async ({ request, baseURL }) => {
  const sitemap = await request.get("/sitemap.xml");
  expect(sitemap.headers()["content-type"]).toContain("application/xml");
  const body = await sitemap.text();
  for (const path of [
    "/",
    "/pricing",
    ...demoCatalog.plans.map((p) => `/plans/${p.slug}`),
    "/qualify",
    "/signup",
    "/contact-sales",
  ]) {
    expect(body).toContain(`<loc>${baseURL}${path}</loc>`);
  }
  const robots = await (await request.get("/robots.txt")).text();
  expect(robots).toContain(`Sitemap: ${baseURL}/sitemap.xml`);
});

test("a first visit keeps its UTM tags and referrer in a first-party cookie; later visits do not overwrite it", async ({
  page,
  context,
  baseURL,
}) => {
  await page.goto("/pricing?utm_source=newsletter&utm_campaign=autumn", { referer: "https://news.example.org/today" });
  const cookie = (await context.cookies()).find((c) => c.name === "first_touch");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  const record = JSON.parse(Buffer.from(cookie!.value, "base64url").toString());
  expect(record).toMatchObject({
    utm_source: "newsletter",
    utm_campaign: "autumn",
    referrer: "https://news.example.org",
    landing_path: "/pricing",
  });

  await page.goto(`${baseURL}/?utm_source=ads`);
  expect((await context.cookies()).find((c) => c.name === "first_touch")?.value).toBe(cookie!.value);
});

test("responses carry security headers and a nonce- or hash-based script policy", async ({ request }) => {
  for (const path of ["/pricing", "/plans/unknown", "/healthz"]) {
    const headers = (await request.get(path)).headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' '(nonce|sha256)-/);
    expect(csp).not.toContain("unsafe-inline");
    expect(headers["strict-transport-security"]).toContain("max-age=");
    expect(headers["x-content-type-options"]).toBe("nosniff");
  }
});

test("hashed assets are cached for a year and pages revalidate by ETag", async ({ request, page }) => {
  await page.goto("/pricing");
  const css = await page.locator('link[rel="stylesheet"]').first().getAttribute("href");
  const asset = await request.get(css!);
  expect(asset.headers()["cache-control"]).toContain("immutable");
  // The request context keeps cookies: its first visit set the attribution cookie, so this one is shareable.
  await request.get("/pricing");
  const first = await request.get("/pricing");
  const etag = first.headers()["etag"]!;
  expect(first.headers()["cache-control"]).toContain("must-revalidate");
  const again = await request.get("/pricing", { headers: { "If-None-Match": etag } });
  expect(again.status()).toBe(304);
});
