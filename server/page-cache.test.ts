import { createHash } from "node:crypto";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cachedPageHeaders } from "../app/lib/page-cache";
import { inlineScriptHashes, PageCache } from "./page-cache";
import { portalHost, portalUrlOf } from "./portal-host";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

const cspOptions = { development: false, https: false };
const renders: string[] = [];

/** A page like Remix renders for `url`: inline scripts carrying this response's nonce. */
function page(url: URL, nonce: string): Response {
  renders.push(`${url.pathname}${url.search}`);
  const interval = url.searchParams.get("interval") ?? "month";
  const html = `<!DOCTYPE html><html><body><p>${interval} ${renders.length}</p><script nonce="${nonce}">window.a=1</script><script nonce="${nonce}" type="module">import "/assets/x.js"</script><script src="/assets/y.js"></script></body></html>`;
  if (url.pathname === "/pricing")
    return new Response(html, {
      headers: { "Content-Type": "text/html; charset=utf-8", ...cachedPageHeaders(["interval"]) },
    });
  if (url.pathname === "/healthz") return Response.json({ status: "ok" });
  return new Response(html, {
    status: 404,
    headers: { "Content-Type": "text/html; charset=utf-8", ...cachedPageHeaders() },
  });
}

const pageCache = (options: Partial<ConstructorParameters<typeof PageCache>[0]> = {}) =>
  new PageCache({
    render: async (_req, res) => page(portalUrlOf(res), String(res.locals.cspNonce)),
    urlOf: (_req, res) => portalUrlOf(res),
    cspFor: (sources) => contentSecurityPolicy(sources, cspOptions),
    ...options,
  });

/** The cache behind the portal's own checks, as server/web.ts composes them; `base` is the portal's URL (APP_URL). */
async function serve(cache: PageCache): Promise<{ base: string; close: () => void }> {
  const app = express();
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.use(portalHost({ appUrl: base, allowedHosts: [] }));
  app.use(securityHeaders({ ...cspOptions, production: true }));
  app.use(cache.middleware());
  return { base, close: () => server.close() };
}

const cache = pageCache();
let base: string;
let close: () => void;

beforeAll(async () => ({ base, close } = await serve(cache)));
afterAll(() => close());
beforeEach(() => {
  cache.clear();
  renders.length = 0;
});

describe("PageCache", () => {
  it("renders an opted-in page once, then serves the stored copy", async () => {
    const first = await fetch(`${base}/pricing`);
    const second = await fetch(`${base}/pricing`);
    expect(await second.text()).toBe(await first.text());
    expect(renders).toEqual(["/pricing"]);
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
  });

  it("keeps one copy per varying parameter, shared by any other parameters such as UTM tags", async () => {
    await fetch(`${base}/pricing?interval=year`);
    const tagged = await (await fetch(`${base}/pricing?interval=year&utm_source=ads`)).text();
    const monthly = await (await fetch(`${base}/pricing?interval=month`)).text();
    expect(tagged).toContain("year 1");
    expect(monthly).toContain("month 2");
    expect(renders).toEqual(["/pricing?interval=year", "/pricing?interval=month"]);
  });

  it("replaces the nonce by hashes of exactly the page's inline scripts", async () => {
    const response = await fetch(`${base}/pricing`);
    const html = await response.text();
    expect(html).not.toContain("nonce=");
    const csp = response.headers.get("content-security-policy")!;
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(csp).toContain(`script-src 'self' ${hash("window.a=1")} ${hash('import "/assets/x.js"')};`);
    expect(csp).not.toContain("nonce-");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("answers 304 to a matching If-None-Match, without a policy that would not match the browser's copy", async () => {
    const etag = (await fetch(`${base}/pricing`)).headers.get("etag")!;
    const revalidated = await fetch(`${base}/pricing`, { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("content-security-policy")).toBeNull();
    expect((await fetch(`${base}/pricing`, { headers: { "If-None-Match": '"other"' } })).status).toBe(200);
  });

  it("serves brotli and gzip copies compressed once, each with its own ETag", async () => {
    const identity = await fetch(`${base}/pricing`, { headers: { "Accept-Encoding": "identity" } });
    const expected = await identity.text();
    for (const encoding of ["br", "gzip"]) {
      const response = await fetch(`${base}/pricing`, { headers: { "Accept-Encoding": encoding } });
      // fetch decodes for us; the header and ETag tell which copy was sent.
      expect(response.headers.get("content-encoding")).toBe(encoding);
      expect(response.headers.get("etag")).not.toBe(identity.headers.get("etag"));
      expect(await response.text()).toBe(expected);
    }
    expect(renders).toHaveLength(1);
  });

  it("passes through responses that did not opt in or are not 200, with the per-response nonce", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    const nonce = /'nonce-([^']+)'/.exec(missing.headers.get("content-security-policy")!)?.[1];
    expect(await missing.text()).toContain(`nonce="${nonce}"`);
    await fetch(`${base}/nowhere`);
    expect(renders).toEqual(["/healthz", "/nowhere", "/nowhere"]);
    expect(cache.size).toBe(0);
  });

  it("renders and caches no request with a Host other than the portal's own", async () => {
    const { host } = new URL(base);
    // The Host smuggles another page's path: rendered at `http://<host>/nowhere?/pricing` it would be stored as /pricing.
    for (const poisoned of [`${host}/nowhere?`, "elsewhere.example", `${host}:1`]) {
      expect(await get("/pricing", poisoned)).toMatchObject({ status: 400 });
    }
    expect(renders).toEqual([]);
    const visitor = await get("/pricing", host);
    expect(visitor).toMatchObject({ status: 200, body: expect.stringContaining("month 1") });
    expect(renders).toEqual(["/pricing"]);
  });

  it("stores a page under the URL it was rendered at, whatever the path's spelling", async () => {
    // `/x/../pricing` is rendered as /pricing (URLs resolve dot segments), so that is its key too.
    expect(await get("/x/../pricing?interval=year", new URL(base).host)).toMatchObject({ status: 200 });
    expect(await (await fetch(`${base}/pricing?interval=year`)).text()).toContain("year 1");
    expect(renders).toEqual(["/pricing?interval=year"]);
  });

  it("renders again after clear(), as when the catalog changes", async () => {
    await fetch(`${base}/pricing`);
    cache.clear();
    expect(await (await fetch(`${base}/pricing`)).text()).toContain("month 2");
  });
});

/** A GET with exactly this path and Host, neither of which fetch lets a caller choose. */
function get(path: string, host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("inlineScriptHashes", () => {
  it("skips external scripts and counts identical scripts once", () => {
    const html = `<script>a()</script><script src="/x.js"></script><script type="application/ld+json">{}</script><script>a()</script>`;
    expect(inlineScriptHashes(html)).toHaveLength(2);
  });
});

describe("bypass", () => {
  it("renders every request the bypass rule picks, such as signed-in ones", async () => {
    const bypassing = pageCache({ bypass: (req) => (req.headers.cookie ?? "").includes("__session=") });
    const server = await serve(bypassing);
    const url = `${server.base}/pricing`;
    try {
      await fetch(url, { headers: { Cookie: "__session=abc" } });
      const personal = await fetch(url, { headers: { Cookie: "__session=abc" } });
      expect(bypassing.size).toBe(0);
      expect(personal.headers.get("cache-control")).toBe("private, no-cache");
      expect(personal.headers.get("x-page-cache")).toBeNull();
      await fetch(url);
      expect(bypassing.size).toBe(1);
    } finally {
      server.close();
    }
  });
});
