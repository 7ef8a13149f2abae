import { and, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { outgoingEmails } from "#db/schema";

/**
 * Emails the mail server has not taken yet, after at least one failed attempt, oldest first, at
 * most `limit`: what staff see while mail is down (each is still retried at least hourly).
 */
export function undeliveredEmails(db: DbOrTx, limit: number) {
  return db
    .select({
      id: outgoingEmails.id,
      to: outgoingEmails.to,
      subject: outgoingEmails.subject,
      queuedAt: outgoingEmails.queuedAt,
      attempts: outgoingEmails.attempts,
      lastError: outgoingEmails.lastError,
      nextAttemptAt: outgoingEmails.nextAttemptAt,
    })
    .from(outgoingEmails)
    .where(and(isNull(outgoingEmails.sentAt), gt(outgoingEmails.attempts, 0)))
    .orderBy(outgoingEmails.queuedAt)
    .limit(limit);
}
