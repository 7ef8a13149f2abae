import type { Request, RequestHandler, Response } from "express";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Changes come only from our own pages: a POST whose Origin (or, failing that, Referer) is
 * another site is refused. Paths that other services call with their own signatures (webhooks)
 * are exempt.
 */
export function sameOriginMutations(exemptPrefixes: string[] = []): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || exemptPrefixes.some((prefix) => req.path.startsWith(prefix))) return next();
    if (isSameOrigin(req)) return next();
    refuseCrossSite(res);
  };
}

/** True when the request's Origin (or, failing that, Referer) is the portal's own. */
export function isSameOrigin(req: Request): boolean {
  const expected = `${req.protocol}://${req.get("host")}`;
  return (req.get("origin") ?? originOf(req.get("referer"))) === expected;
}

export function refuseCrossSite(res: Response): void {
  res.status(403).type("text/plain").send("Cross-site form submissions are not allowed.");
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
