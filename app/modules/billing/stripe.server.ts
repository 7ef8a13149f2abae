import Stripe from "stripe";

/** Pinned: Stripe's answers keep the shapes the portal was written against. */
export const STRIPE_API_VERSION = "2026-10-28.endive";

export type StripeTarget = { secretKey: string } | { emulatorPort: number };

/**
 * The official SDK, pointed at Stripe or at the local emulator (same code path, only the host
 * differs). Retries cover Stripe's rate limits (429) and network blips.
 */
export function createStripeClient(target: StripeTarget): Stripe {
  const common = { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 2, timeout: 20_000 } as const;
  if ("secretKey" in target) return new Stripe(target.secretKey, common);
  return new Stripe("sk_test_emulator", { ...common, host: "127.0.0.1", port: target.emulatorPort, protocol: "http" });
}

/**
 * Whether a secret key acts in live mode: `sk_live_…` and `rk_live_…` do; test keys and the
 * emulator (no key) do not. Events carry the same flag, `livemode` (Stripe API: Event object).
 */
export function isLiveKey(secretKey: string | undefined): boolean {
  return /^(sk|rk)_live_/.test(secretKey ?? "");
}

/**
 * Stripe's "now" in Unix seconds, from the `Date` header of one of its answers (a retrieve or a
 * list page, `lastResponse`): Stripe's clock, which a test clock or the emulator may have moved
 * ahead of the portal's. The portal's clock only if the header is missing.
 */
export function stripeNowOf(response: { lastResponse?: { headers: Record<string, string> } }): number {
  const stamped = Date.parse(response.lastResponse?.headers.date ?? "");
  return Math.floor((Number.isFinite(stamped) ? stamped : Date.now()) / 1000);
}
