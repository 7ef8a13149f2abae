import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cachedPageHeaders } from "../app/lib/page-cache";
import { inlineScriptHashes, PageCache } from "./page-cache";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

const cspOptions = { development: false, https: false };
const renders: string[] = [];

/** A page like Remix renders: inline scripts carrying this response's nonce. */
function page(req: express.Request, nonce: string): Response {
  renders.push(req.originalUrl);
  const interval = new URL(req.originalUrl, "http://x").searchParams.get("interval") ?? "month";
  const html = `<!DOCTYPE html><html><body><p>${interval} ${renders.length}</p><script nonce="${nonce}">window.a=1</script><script nonce="${nonce}" type="module">import "/assets/x.js"</script><script src="/assets/y.js"></script></body></html>`;
  if (req.path === "/pricing")
    return new Response(html, {
      headers: { "Content-Type": "text/html; charset=utf-8", ...cachedPageHeaders(["interval"]) },
    });
  if (req.path === "/healthz") return Response.json({ status: "ok" });
  return new Response(html, {
    status: 404,
    headers: { "Content-Type": "text/html; charset=utf-8", ...cachedPageHeaders() },
  });
}

const cache = new PageCache({
  render: async (req, res) => page(req, String(res.locals.cspNonce)),
  cspFor: (sources) => contentSecurityPolicy(sources, cspOptions),
});
let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(securityHeaders({ ...cspOptions, production: true }));
  app.use(cache.middleware());
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
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

  it("renders again after clear(), as when the catalog changes", async () => {
    await fetch(`${base}/pricing`);
    cache.clear();
    expect(await (await fetch(`${base}/pricing`)).text()).toContain("month 2");
  });
});

describe("inlineScriptHashes", () => {
  it("skips external scripts and counts identical scripts once", () => {
    const html = `<script>a()</script><script src="/x.js"></script><script type="application/ld+json">{}</script><script>a()</script>`;
    expect(inlineScriptHashes(html)).toHaveLength(2);
  });
});

describe("bypass", () => {
  it("renders every request the bypass rule picks, such as signed-in ones", async () => {
    const bypassing = new PageCache({
      render: async (req, res) => page(req, String(res.locals.cspNonce)),
      cspFor: (sources) => contentSecurityPolicy(sources, cspOptions),
      bypass: (req) => (req.headers.cookie ?? "").includes("__session="),
    });
    const app = express();
    app.use(securityHeaders({ ...cspOptions, production: true }));
    app.use(bypassing.middleware());
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pricing`;
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
