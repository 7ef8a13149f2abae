import { randomBytes } from "node:crypto";
import type { RequestHandler } from "express";
import helmet from "helmet";

export type CspOptions = { development: boolean; https: boolean; formActionOrigins?: string[] };

/**
 * The Content-Security-Policy for one response. Inline scripts are allowed only by this
 * response's nonce, or by the hashes of a cached page's exact scripts; never 'unsafe-inline'.
 */
export function contentSecurityPolicy(
  scriptSources: string[],
  { development, https, formActionOrigins = [] }: CspOptions,
): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", ...scriptSources],
    // Vite injects styles and an HMR socket while developing.
    "style-src": development ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": development ? ["'self'", "ws:"] : ["'self'"],
    // A form's redirect counts too: the checkout button's answer sends the browser to Stripe.
    "form-action": ["'self'", ...formActionOrigins],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
    ...(https ? { "upgrade-insecure-requests": [] } : {}),
  };
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(" "))
    .join("; ");
}

export function nonceSource(nonce: string): string {
  return `'nonce-${nonce}'`;
}

/** Helmet's standard headers, plus a fresh CSP nonce in `res.locals.cspNonce` for every response. */
export function securityHeaders(options: CspOptions & { production: boolean }): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: false,
      frameguard: { action: "deny" },
      // With no-referrer, browsers send "Origin: null" on form posts, which the same-origin check must refuse.
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
      strictTransportSecurity: options.production ? { maxAge: 63072000, includeSubDomains: true } : false,
    }),
    (_req, res, next) => {
      const nonce = randomBytes(16).toString("base64");
      res.locals.cspNonce = nonce;
      res.setHeader("Content-Security-Policy", contentSecurityPolicy([nonceSource(nonce)], options));
      next();
    },
  ];
}
