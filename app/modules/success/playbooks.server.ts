/**
 * Playbooks → tasks (issue 16 item 3). Placeholder until the playbook work lands: fires nothing.
 */
import type { DbOrTx } from "#db/client";
import type { AccountFacts } from "./facts";

/** Evaluates every enabled rule for these accounts; creates or updates tasks on entry. Returns tasks created. */
export async function evaluatePlaybooks(tx: DbOrTx, facts: AccountFacts[], now: Date): Promise<number> {
  void tx;
  void facts;
  void now;
  return 0;
}
