/**
 * The health job (issue 16 item 2). Placeholder until the health work lands: scores nothing.
 */
import type { DbOrTx } from "#db/client";

/** Recomputes every account's standing, health snapshot, PQL score and playbooks, in keyset chunks. */
export async function refreshAllAccounts(db: DbOrTx, now: Date): Promise<{ accounts: number }> {
  void db;
  void now;
  return { accounts: 0 };
}
