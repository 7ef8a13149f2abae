import type Stripe from "stripe";
import type { Database } from "#db/client";
import type { SessionUser } from "~/modules/accounts/sessions.server";

export type PortalConfig = {
  /** Public origin without a trailing slash, used for canonical URLs and links in emails. */
  appUrl: string;
  /** Signs session cookies and emailed links. */
  sessionSecret: string;
  /** Verifies control planes' callbacks; without it the http provisioner is off. */
  provisionerHttpSecret: string | null;
};

declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    stripe: Stripe;
    config: PortalConfig;
    /** The caller's address as the server trusts it (proxies only on loopback); keys rate limits. */
    clientIp: string;
    /** Nonce for this response's inline scripts; see server/security-headers.ts. */
    cspNonce: string;
    /**
     * Made per HTTP request by the server (absent where a context serves many requests, as in
     * route tests): what one request looks up once and all its loaders share.
     */
    requestScope?: { sessionUser?: Promise<SessionUser | null> };
  }
}
