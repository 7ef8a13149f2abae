import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "#db/client";
import { rateLimits } from "#db/schema";

/** Budgets per key: `points` attempts per `duration` seconds. */
const policies = {
  loginEmail: { points: 5, duration: 15 * 60 },
  loginIp: { points: 50, duration: 15 * 60 },
  signup: { points: 10, duration: 60 * 60 },
  passwordReset: { points: 5, duration: 60 * 60 },
  invitation: { points: 30, duration: 60 * 60 },
  qualification: { points: 20, duration: 60 * 60 },
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

/** Spends one attempt; refused once the budget is used up. */
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

/** Whether the budget is already used up, without spending from it. */
export async function checkRateLimit(db: Database, policy: RatePolicy, key: string): Promise<RateDecision> {
  const state = await limiter(db, policy).get(key.toLowerCase());
  if (state && state.consumedPoints >= policies[policy].points) {
    return { allowed: false, retryAfterSeconds: Math.ceil(state.msBeforeNext / 1000) };
  }
  return { allowed: true };
}

export async function resetRateLimit(db: Database, policy: RatePolicy, key: string): Promise<void> {
  await limiter(db, policy).delete(key.toLowerCase());
}

export function retryAfterText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? "a minute" : `${minutes} minutes`;
}
