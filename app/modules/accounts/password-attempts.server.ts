import type { Database } from "#db/client";
import { consumeRateLimit, refundRateLimit, type RatePolicy } from "~/lib/rate-limit.server";

/** A budget a password check spends from: the policy and the key it counts under (an address, a network, a user). */
export type AttemptBudget = readonly [RatePolicy, string];

export type Admission =
  { allowed: true; budgets: readonly AttemptBudget[] } | { allowed: false; retryAfterSeconds: number };

/**
 * Pays for one password check before it happens (issue 13, case 4): one attempt from each budget,
 * in order, each an atomic increment, so N requests at once get at most the budget's checks between
 * them, not N. At the first refusal the budgets already spent for this request are given back, so a
 * refused request costs nothing anywhere (a locked address does not use up its network's budget).
 * Returns the seconds to wait when refused; on success, hand the admission to `refundOnSuccess`
 * once the password matched.
 */
export async function admitPasswordCheck(db: Database, budgets: readonly AttemptBudget[]): Promise<Admission> {
  const spent: AttemptBudget[] = [];
  for (const budget of budgets) {
    const decision = await consumeRateLimit(db, ...budget);
    if (!decision.allowed) {
      for (const [policy, key] of spent) await refundRateLimit(db, policy, key);
      return decision;
    }
    spent.push(budget);
  }
  return { allowed: true, budgets: spent };
}

/**
 * A matching password gives back the attempt it paid for, and only that one: the budgets count
 * failures, and a person logging in meanwhile never hands someone guessing in parallel a fresh budget.
 */
export async function refundOnSuccess(db: Database, admission: Admission & { allowed: true }): Promise<void> {
  for (const [policy, key] of admission.budgets) await refundRateLimit(db, policy, key);
}
