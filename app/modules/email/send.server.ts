import { and, count, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import type { Database } from "#db/client";
import { outgoingEmails } from "#db/schema";
import type { Logger } from "~/lib/logger.server";
import { scheduleSending, sendEmailPayload } from "./outbox.server";

/** The longest wait between two attempts: mail comes back within an hour of the server's return. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/** Wait after the `attempts`-th failed attempt, in ms: 2 s, 4 s, 8 s … doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, MAX_RETRY_DELAY_MS);
}

type SendDeps = { db: Database; transport: Transporter; from: string; messageIdDomain: string; logger: Logger };

/**
 * The mail lane's task: sends one `outgoing_emails` row and marks it sent. A failure of the mail
 * server is recorded on the row and the email rescheduled (`retryDelayMs`), so it is retried for as
 * long as the outage lasts; the first failure while no other email is failing logs an error, the
 * first success after failures logs the recovery. Throws only when the database fails (the job
 * is then retried by graphile-worker).
 *
 * At least once, not exactly once: SMTP has no idempotency, so if the server takes the email and
 * the commit of `sent_at` is lost, the email goes again, with the same Message-ID
 * (`<row id@messageIdDomain>`) by which mail clients recognise the duplicate. The row lock makes
 * two jobs for one email never send it at the same time. An email of a list (`list_unsubscribe` set)
 * carries the unsubscribe headers (`listUnsubscribeHeaders`); transactional email carries none.
 */
export async function sendOutgoingEmail(deps: SendDeps, payload: unknown): Promise<void> {
  const { emailId } = sendEmailPayload.parse(payload);
  await deps.db.transaction(async (tx) => {
    const [email] = await tx
      .select()
      .from(outgoingEmails)
      .where(and(eq(outgoingEmails.id, emailId), isNull(outgoingEmails.sentAt)))
      .for("update", { skipLocked: true });
    if (!email) return; // sent already, or another attempt holds it and reschedules it if it fails
    const othersFailing = async () => {
      // Serialises this check between concurrent attempts, so one outage logs one error, not one per slot.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('outgoing_emails:failing'))`);
      const [row] = await tx
        .select({ n: count() })
        .from(outgoingEmails)
        .where(and(isNull(outgoingEmails.sentAt), gt(outgoingEmails.attempts, 0), ne(outgoingEmails.id, emailId)));
      return row!.n;
    };
    try {
      await deps.transport.sendMail({
        from: deps.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        messageId: `<${email.id}@${deps.messageIdDomain}>`,
        headers: email.listUnsubscribe ? listUnsubscribeHeaders(email.listUnsubscribe) : {},
      });
    } catch (error) {
      const attempts = email.attempts + 1;
      const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts));
      const reason = error instanceof Error ? error.message : String(error);
      await tx
        .update(outgoingEmails)
        .set({ attempts, lastAttemptAt: new Date(), lastError: reason, nextAttemptAt })
        .where(eq(outgoingEmails.id, emailId));
      await scheduleSending(tx, emailId, nextAttemptAt);
      if (attempts === 1 && (await othersFailing()) === 0)
        deps.logger.error(
          { emailId, reason },
          "Mail delivery is failing: emails wait and are retried at least hourly until the mail server takes them; staff see them on /staff.",
        );
      return;
    }
    await tx.update(outgoingEmails).set({ sentAt: new Date(), lastError: null }).where(eq(outgoingEmails.id, emailId));
    if (email.attempts > 0 && (await othersFailing()) === 0)
      deps.logger.info({ emailId }, "Mail delivery works again: every waiting email has been sent.");
  });
}

/**
 * `List-Unsubscribe` (RFC 2369: the URL in angle brackets) and `List-Unsubscribe-Post` (RFC 8058:
 * the mail provider's one-click POST of `List-Unsubscribe=One-Click` to that URL).
 */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
