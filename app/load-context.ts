import type { Database } from "#db/client";

export type PortalConfig = {
  /** Public origin without a trailing slash, used for canonical URLs and links in emails. */
  appUrl: string;
};

declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    config: PortalConfig;
    /** Nonce for this response's inline scripts; see server/security-headers.ts. */
    cspNonce: string;
  }
}
