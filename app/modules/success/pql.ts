/**
 * Product-qualified trial score (issue 16 item 4). Placeholder until the PQL work lands: no score.
 */
import type { AccountFacts } from "./facts";

export type PqlScore = { score: number; reasons: string[] };

/** The trial's PQL score from fit, usage and intent; null when the account has no active trial. */
export function scorePql(facts: AccountFacts): PqlScore | null {
  void facts;
  return null;
}
