/**
 * The daily digest job (issue 16 item 5): each staff member with open tasks due today or overdue
 * gets the staff home's summary by email, once per UTC day, unless they opted out.
 */
import { and, eq, isNotNull, notExists } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { staffDigestOptOuts, staffDigests, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { dueTasks, teamDay } from "~/modules/success/my-day.server";
import { queueEmail } from "./outbox.server";
import { staffDigestMessage } from "./staff-digest";

/** The worker task; server/worker.ts runs it daily at 06:00 UTC. */
export const STAFF_DIGEST_TASK = "staff_digest";

/**
 * Queues today's digest (UTC day of `now`) for every staff member who has not opted out and has
 * tasks due; each in its own transaction with its `staff_digests` row, so a re-run, a second
 * worker or a retry after a crash sends nobody a second one. Returns how many were queued.
 */
export async function sendStaffDigests(db: Database, appUrl: string, now: Date): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const recipients = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(
      and(
        isNotNull(users.staffRole),
        notExists(db.select().from(staffDigestOptOuts).where(eq(staffDigestOptOuts.userId, users.id))),
        notExists(
          db
            .select()
            .from(staffDigests)
            .where(and(eq(staffDigests.userId, users.id), eq(staffDigests.day, day))),
        ),
      ),
    );
  if (!recipients.length) return 0;
  // The team's part is the same for everyone: read once.
  const team = await teamDay(db, now);
  let queued = 0;
  for (const staff of recipients) {
    const mine = await dueTasks(db, staff.id, now);
    if (mine.count.count === 0) continue;
    const sent = await db.transaction(async (tx) => {
      const [claimed] = await tx
        .insert(staffDigests)
        .values({ userId: staff.id, day })
        .onConflictDoNothing()
        .returning({ userId: staffDigests.userId });
      if (!claimed) return false;
      await queueEmail(
        tx,
        { to: staff.email, ...staffDigestMessage(staff.name, now, { ...team, myTasks: mine }, appUrl) },
        `staff-digest:${staff.id}:${day}`,
      );
      return true;
    });
    if (sent) queued += 1;
  }
  return queued;
}

/** Whether the staff member gets the daily digest (true unless they opted out). */
export async function getsStaffDigest(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: staffDigestOptOuts.userId })
    .from(staffDigestOptOuts)
    .where(eq(staffDigestOptOuts.userId, userId));
  return !row;
}

/**
 * Turns the daily digest on or off for the staff member, audited (`staff.digest_opted_out`,
 * `staff.digest_opted_in`) when it changed; asking for the state it is already in changes nothing
 * (two tabs, a double click).
 */
export async function setStaffDigest(db: Database, userId: string, wanted: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const changed = wanted
      ? await tx
          .delete(staffDigestOptOuts)
          .where(eq(staffDigestOptOuts.userId, userId))
          .returning({ userId: staffDigestOptOuts.userId })
      : await tx
          .insert(staffDigestOptOuts)
          .values({ userId })
          .onConflictDoNothing()
          .returning({ userId: staffDigestOptOuts.userId });
    if (changed.length) {
      await recordAudit(
        tx,
        { type: "staff", id: userId },
        wanted ? "staff.digest_opted_in" : "staff.digest_opted_out",
        {
          type: "user",
          id: userId,
        },
      );
    }
  });
}
