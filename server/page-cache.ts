import { createHash } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { writeReadableStreamToWritable } from "@remix-run/node";
import { LRUCache } from "lru-cache";
import { PAGE_CACHE_HEADER, parsePageCacheHeader } from "../app/lib/page-cache";

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

type Encoding = "br" | "gzip" | "identity";

type CachedPage = {
  status: number;
  headers: [string, string][];
  /** The policy allowing exactly this page's inline scripts by hash: cached bytes cannot carry a per-response nonce. */
  csp: string;
  bodies: Record<Encoding, Buffer>;
  etags: Record<Encoding, string>;
};

/** Headers the cache sets itself, or that must not be replayed from a stored response. */
const MANAGED_HEADERS = new Set([
  PAGE_CACHE_HEADER,
  "content-length",
  "content-encoding",
  "content-security-policy",
  "etag",
  "vary",
  "transfer-encoding",
  "connection",
  "date",
]);

export type RenderPage = (req: ExpressRequest, res: ExpressResponse) => Promise<Response>;

type Options = {
  render: RenderPage;
  /** The URL `render` renders the request at: its path and query are the cache key, so a page is stored under the URL it was rendered for. */
  urlOf: (req: ExpressRequest, res: ExpressResponse) => URL;
  /** Builds the CSP for a cached page from the hash sources of its inline scripts. */
  cspFor: (scriptSources: string[]) => string;
  /** Requests that must always be rendered afresh. */
  bypass?: (req: ExpressRequest) => boolean;
  maxEntries?: number;
};

/**
 * An in-memory cache of rendered public pages, filled on first request and emptied by `clear()`
 * when the catalog changes. Only 200 HTML responses of routes that opt in with PAGE_CACHE_HEADER
 * are stored, already compressed, with an ETag so browsers revalidate for free.
 */
export class PageCache {
  private readonly pages: LRUCache<string, CachedPage>;
  /** Which query parameters change each cached path; learnt from its first response. */
  private readonly varyingParams = new Map<string, string[]>();
  /** Bumped by clear(), so a render that raced with a catalog change is not stored. */
  private generation = 0;

  constructor(private readonly options: Options) {
    this.pages = new LRUCache({ max: options.maxEntries ?? 500 });
  }

  clear(): void {
    this.generation += 1;
    this.pages.clear();
    this.varyingParams.clear();
  }

  get size(): number {
    return this.pages.size;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      if (req.method !== "GET" && req.method !== "HEAD") return next();
      // A personal page (say, with the person's name in the header) is rendered for them alone,
      // and no shared cache on the way may keep it.
      if (this.options.bypass?.(req)) {
        this.options
          .render(req, res)
          .then((response) => sendResponse(req, res, response, { personal: true }))
          .catch(next);
        return;
      }
      const url = this.options.urlOf(req, res);
      // Remix's data and manifest requests are not documents.
      if (url.pathname.endsWith(".data") || url.pathname.startsWith("/__")) return next();
      const cached = this.lookup(url);
      if (cached) return sendCached(req, res, cached);
      this.renderAndStore(req, res, url).catch(next);
    };
  }

  private keyFor(url: URL, params: string[]): string {
    return `${url.pathname}?${params.map((name) => `${name}=${url.searchParams.get(name) ?? ""}`).join("&")}`;
  }

  private lookup(url: URL): CachedPage | undefined {
    const params = this.varyingParams.get(url.pathname);
    if (!params) return undefined;
    return this.pages.get(this.keyFor(url, params));
  }

  private async renderAndStore(req: ExpressRequest, res: ExpressResponse, url: URL): Promise<void> {
    const generation = this.generation;
    const response = await this.options.render(req, res);
    const params = parsePageCacheHeader(response.headers.get(PAGE_CACHE_HEADER));
    const cacheable =
      params !== null &&
      response.status === 200 &&
      !response.headers.has("set-cookie") &&
      (response.headers.get("content-type") ?? "").startsWith("text/html");
    if (!cacheable) return sendResponse(req, res, response);
    const page = await toCachedPage(response, String(res.locals.cspNonce ?? ""), this.options.cspFor);
    if (generation === this.generation) {
      this.varyingParams.set(url.pathname, params);
      this.pages.set(this.keyFor(url, params), page);
    }
    sendCached(req, res, page);
  }
}

async function toCachedPage(
  response: Response,
  nonce: string,
  cspFor: (sources: string[]) => string,
): Promise<CachedPage> {
  const rendered = await response.text();
  const html = nonce ? rendered.split(` nonce="${nonce}"`).join("") : rendered;
  const identity = Buffer.from(html);
  const [gzipped, brotlied] = await Promise.all([
    gzip(identity, { level: 9 }),
    brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
  ]);
  const digest = createHash("sha256").update(identity).digest("base64url").slice(0, 27);
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (!MANAGED_HEADERS.has(name)) headers.push([name, value]);
  });
  return {
    status: response.status,
    headers,
    csp: cspFor(inlineScriptHashes(html)),
    bodies: { identity, gzip: gzipped, br: brotlied },
    etags: { identity: `"${digest}"`, gzip: `"${digest}-gz"`, br: `"${digest}-br"` },
  };
}

/** CSP hash sources for every inline script of a document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(match[1] ?? "")) continue;
    hashes.add(
      `'sha256-${createHash("sha256")
        .update(match[2] ?? "")
        .digest("base64")}'`,
    );
  }
  return [...hashes];
}

function sendCached(req: ExpressRequest, res: ExpressResponse, page: CachedPage): void {
  const encoding = (req.acceptsEncodings("br", "gzip", "identity") || "identity") as Encoding;
  const etag = page.etags[encoding];
  for (const [name, value] of page.headers) res.setHeader(name, value);
  // A first visit sets the attribution cookie; such a response is for this browser only.
  if (res.hasHeader("set-cookie")) res.setHeader("Cache-Control", "private, no-cache");
  res.setHeader("Vary", "Accept-Encoding");
  res.setHeader("ETag", etag);
  if (ifNoneMatch(req, etag)) {
    // Keep the policy the browser stored with its copy: it matches that copy's scripts.
    res.removeHeader("Content-Security-Policy");
    res.status(304).end();
    return;
  }
  const body = page.bodies[encoding];
  res.setHeader("Content-Security-Policy", page.csp);
  if (encoding !== "identity") res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", body.length);
  res.status(page.status);
  res.end(req.method === "HEAD" ? undefined : body);
}

function ifNoneMatch(req: ExpressRequest, etag: string): boolean {
  const header = req.headers["if-none-match"];
  if (!header) return false;
  return header === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** Streams a Fetch API response to Express, without the cache's opt-in header. */
export async function sendResponse(
  req: ExpressRequest,
  res: ExpressResponse,
  response: Response,
  { personal = false } = {},
): Promise<void> {
  response.headers.delete(PAGE_CACHE_HEADER);
  if (personal && /\bpublic\b/.test(response.headers.get("cache-control") ?? ""))
    response.headers.set("Cache-Control", "private, no-cache");
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) res.append("Set-Cookie", cookie);
  if (!response.body || req.method === "HEAD") {
    res.end();
    return;
  }
  await writeReadableStreamToWritable(response.body, res);
}
