/**
 * Who looks after an account (issue 16 item 1): `account_success.assigned_staff_id`, a staff
 * member or null for the team's queue. Playbook tasks go to that person (or the queue).
 */
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { accountSuccess, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { isUuid } from "~/lib/ids";

/** What the assign form sends: "me", "queue" (the team's queue) or a staff member's id. */
export const assigneeField = z
  .string({ error: "Choose who looks after this account" })
  .refine((value) => value === "me" || value === "queue" || isUuid(value), "Choose who looks after this account");
/** "me", "queue" or a user id (checked to be on staff by `assignAccount`). */
export type AssigneeChoice = string;

export type StaffMember = { id: string; name: string; email: string };

/** Everyone with a staff role, by name (the partial index `users_staff_idx`): the assign form's choices. */
export async function staffMembers(db: DbOrTx): Promise<StaffMember[]> {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(isNotNull(users.staffRole))
    .orderBy(asc(users.name), asc(users.id));
}

export type AssignResult =
  | { ok: true; changed: boolean; assigneeId: string | null; assigneeName: string | null }
  | { ok: false; status: 400 | 404; message: string };

/**
 * Assigns the account to `choice` ("me" = `actorId`, "queue" = nobody, else a staff member's id)
 * and audits `account.assigned` with the previous and new assignee, in one transaction that locks
 * the account's success row, so two tabs assigning at once end with the later one and two audit rows
 * only when both changed something. Assigning to whoever already has it changes nothing and audits
 * nothing (`changed: false`). An id that is not a staff member's is refused with a sentence (400);
 * an unknown account is a 404.
 */
export async function assignAccount(
  db: Database,
  input: { accountId: string; actorId: string; choice: AssigneeChoice },
): Promise<AssignResult> {
  const assigneeId = input.choice === "queue" ? null : input.choice === "me" ? input.actorId : input.choice;
  return db.transaction(async (tx) => {
    let assigneeName: string | null = null;
    if (assigneeId) {
      const [member] = await tx
        .select({ name: users.name })
        .from(users)
        .where(and(eq(users.id, assigneeId), isNotNull(users.staffRole)));
      if (!member) return { ok: false, status: 400, message: "Choose someone on staff to look after this account." };
      assigneeName = member.name;
    }
    const [current] = await tx
      .select({ assignedStaffId: accountSuccess.assignedStaffId })
      .from(accountSuccess)
      .where(eq(accountSuccess.accountId, input.accountId))
      .for("update");
    if (!current) return { ok: false, status: 404, message: "There is no such account." };
    if (current.assignedStaffId === assigneeId) return { ok: true, changed: false, assigneeId, assigneeName };
    await tx
      .update(accountSuccess)
      .set({ assignedStaffId: assigneeId })
      .where(eq(accountSuccess.accountId, input.accountId));
    await recordAudit(
      tx,
      { type: "staff", id: input.actorId },
      "account.assigned",
      { type: "organisation", id: input.accountId },
      { from: current.assignedStaffId, to: assigneeId },
      input.accountId,
    );
    return { ok: true, changed: true, assigneeId, assigneeName };
  });
}

/** The sentence the page shows after an assignment. */
export function assignedMessage(result: Extract<AssignResult, { ok: true }>, actorId: string): string {
  const who =
    result.assigneeId === null ? "the team's queue" : result.assigneeId === actorId ? "you" : result.assigneeName;
  return result.changed ? `This account is now looked after by ${who}.` : `This account was already with ${who}.`;
}
