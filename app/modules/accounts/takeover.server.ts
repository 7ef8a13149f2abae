import { and, eq, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { invitations, memberships, organisations } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { endOtherSessions } from "./sessions.server";

export type DroppedSetup = { memberships: number; invitations: number; sessions: number };

/**
 * What an unconfirmed account set up is dropped when someone proves control of its address (issue
 * 13, case 5: pre-hijacking): a password reset by whoever reads the mailbox, or the first confirmation
 * by the emailed link. Whoever registered the address before may have invited themselves in; none of
 * it survives the hand-over:
 * - every other membership of the organisations the account founded (each got there by an invitation
 *   chain that started with it), and every membership accepted from an invitation it sent;
 * - its pending invitations, and every pending one in the organisations it founded (revoked);
 * - every session of the account but `keepSessionId` (the browser that just proved the address).
 * The account's own memberships and organisations stay: the address's owner gets them. Call it in
 * the transaction that confirms the address, after checking the account was unconfirmed; each dropped
 * membership and the summary are audited.
 */
export async function dropUnconfirmedSetup(
  tx: DbOrTx,
  userId: string,
  keepSessionId: string | null,
): Promise<DroppedSetup> {
  const founded = tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.createdBy, userId));
  const sentAndAccepted = tx
    .select({ organisationId: invitations.organisationId, userId: invitations.acceptedBy })
    .from(invitations)
    .where(and(eq(invitations.invitedBy, userId), isNotNull(invitations.acceptedBy)));
  const dropped = await tx
    .delete(memberships)
    .where(
      and(
        ne(memberships.userId, userId),
        or(
          inArray(memberships.organisationId, founded),
          sql`(${memberships.organisationId}, ${memberships.userId}) in ${sentAndAccepted}`,
        ),
      ),
    )
    .returning({ organisationId: memberships.organisationId, userId: memberships.userId, role: memberships.role });
  for (const membership of dropped) {
    await recordAudit(
      tx,
      { type: "user", id: userId },
      "membership.dropped_on_takeover",
      { type: "user", id: membership.userId },
      { role: membership.role },
      membership.organisationId,
    );
  }
  const revoked = await tx
    .update(invitations)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        or(eq(invitations.invitedBy, userId), inArray(invitations.organisationId, founded)),
      ),
    )
    .returning({ id: invitations.id });
  const sessions = await endOtherSessions(tx, userId, keepSessionId);
  const summary = { memberships: dropped.length, invitations: revoked.length, sessions };
  await recordAudit(
    tx,
    { type: "user", id: userId },
    "user.unconfirmed_setup_dropped",
    { type: "user", id: userId },
    summary,
  );
  return summary;
}
