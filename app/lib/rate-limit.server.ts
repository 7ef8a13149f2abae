import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "#db/client";
import { rateLimits } from "#db/schema";

/**
 * Budgets per key: `points` attempts per `duration` seconds. The password-checking budgets
 * (`loginEmail`, `loginIp`, `currentPassword`) are spent before the check and given back when it
 * succeeds, so they count failures and bound checks however many requests arrive at once (ADR 13).
 */
const policies = {
  loginEmail: { points: 5, duration: 15 * 60 },
  loginIp: { points: 50, duration: 15 * 60 },
  currentPassword: { points: 5, duration: 15 * 60 },
  signup: { points: 10, duration: 60 * 60 },
  passwordReset: { points: 5, duration: 60 * 60 },
  invitation: { points: 30, duration: 60 * 60 },
  qualification: { points: 20, duration: 60 * 60 },
  organisationCreate: { points: 5, duration: 24 * 60 * 60 },
  confirmationEmail: { points: 5, duration: 60 * 60 },
  // Per person named by an unsubscribe link: mail providers post one-click unsubscribes from shared addresses.
  unsubscribe: { points: 20, duration: 60 * 60 },
  /** Per person: rotating a usage ingest key (issue 15); a real rotation is rare, a loop is not. */
  ingestKeyRotation: { points: 10, duration: 60 * 60 },
} as const;

export type RatePolicy = keyof typeof policies;
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

// Limits live in PostgreSQL (rate-limiter-flexible's drizzle store), so they hold across instances.
const limiters = new WeakMap<Database, Map<RatePolicy, RateLimiterDrizzle>>();

function limiter(db: Database, policy: RatePolicy): RateLimiterDrizzle {
  let byPolicy = limiters.get(db);
  if (!byPolicy) limiters.set(db, (byPolicy = new Map()));
  let found = byPolicy.get(policy);
  if (!found) {
    found = new RateLimiterDrizzle({ storeClient: db, schema: rateLimits, keyPrefix: policy, ...policies[policy] });
    byPolicy.set(policy, found);
  }
  return found;
}

/**
 * Spends one attempt, atomically (one upsert that adds and returns the count), so parallel requests
 * cannot all pass; refused once the budget is used up, with the seconds until the key's window ends.
 */
export async function consumeRateLimit(db: Database, policy: RatePolicy, key: string): Promise<RateDecision> {
  try {
    await limiter(db, policy).consume(key.toLowerCase());
    return { allowed: true };
  } catch (error) {
    if (error instanceof RateLimiterRes)
      return { allowed: false, retryAfterSeconds: Math.ceil(error.msBeforeNext / 1000) };
    throw error;
  }
}

/**
 * Gives back one attempt spent by `consumeRateLimit` (an atomic decrement in the same row), for a
 * check that succeeded: the budget then counts only failures, and a success cannot hand an attacker
 * a fresh budget the way deleting the key would.
 */
export async function refundRateLimit(db: Database, policy: RatePolicy, key: string): Promise<void> {
  await limiter(db, policy).reward(key.toLowerCase(), 1);
}

/** "a minute" or "N minutes", for a sentence saying when to try again. */
export function retryAfterText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? "a minute" : `${minutes} minutes`;
}
