/**
 * Intent signals (issue 16 item 4): a signed-in customer looked at pricing or billing, previewed an
 * upgrade or opened a checkout. Counted per account and kind in `account_signals`, read by the PQL
 * score and the expansion playbook.
 */
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { AppLoadContext } from "@remix-run/node";
import type { DbOrTx } from "#db/client";
import { accountSignals } from "#db/schema";
import { getSessionUser } from "~/modules/accounts/sessions.server";

export type SignalKind = (typeof accountSignals.$inferInsert)["kind"];

/**
 * Adds one to the account's count of `kind` and sets its last time to now (one upsert on the
 * primary key). Never throws: a signal is worth less than the page that records it, so a failure
 * (the organisation deleted meanwhile, the database away) is logged and the caller carries on.
 * Inside a transaction it runs in a savepoint, so its failure cannot abort the caller's work.
 */
export async function recordSignal(db: DbOrTx, accountId: string, kind: SignalKind): Promise<void> {
  const upsert = (runner: DbOrTx) =>
    runner
      .insert(accountSignals)
      .values({ accountId, kind, count: 1 })
      .onConflictDoUpdate({
        target: [accountSignals.accountId, accountSignals.kind],
        set: { count: sql`${accountSignals.count} + 1`, lastAt: sql`now()` },
      });
  try {
    // A transaction object nests as a savepoint; the pool runs a single statement on its own.
    if (db instanceof PgTransaction) await db.transaction(async (savepoint) => upsert(savepoint));
    else await upsert(db);
  } catch (error) {
    console.warn(`intent signal ${kind} for ${accountId} not recorded: ${String(error)}`);
  }
}

/**
 * Records `kind` for the organisation the request's signed-in customer is working in; nothing for
 * visitors, for people without an organisation, or for staff (their looking is not the customer's
 * intent). Reads the session the page's root loader has already looked up (one lookup per request).
 */
export async function recordCustomerSignal(request: Request, context: AppLoadContext, kind: SignalKind): Promise<void> {
  const user = await getSessionUser(request, context).catch(() => null);
  if (!user?.organisationId || user.staffRole) return;
  await recordSignal(context.db, user.organisationId, kind);
}
