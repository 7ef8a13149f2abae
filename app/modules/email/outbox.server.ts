import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";
import { outgoingEmails } from "#db/schema";

export const SEND_EMAIL_TASK = "send_email";

/**
 * graphile-worker's own retries, used only when an attempt cannot even be recorded (the database
 * is gone): mail server failures are retried by rescheduling (see send.server.ts), never counted here.
 */
const JOB_MAX_ATTEMPTS = 25;

export const outgoingEmailSchema = z.object({
  to: z.email(),
  subject: z.string().min(1).max(300),
  text: z.string().min(1),
  /** For an email of a list people can leave: its one-click unsubscribe URL (RFC 8058); none for transactional email. */
  listUnsubscribe: z.url({ protocol: /^https?$/ }).optional(),
});
export type OutgoingEmail = z.infer<typeof outgoingEmailSchema>;

export const sendEmailPayload = z.object({ emailId: z.uuid() });

/**
 * Queues an email in the caller's transaction: a row in `outgoing_emails` (kept until the mail
 * server takes it) and the job that sends it. With a `dedupeKey` (e.g. `receipt:<invoice id>:<address>`)
 * the email is queued once: a second call with the same key, in any transaction, queues nothing
 * and answers false. Throws a ZodError for a malformed email.
 */
export async function queueEmail(tx: DbOrTx, email: OutgoingEmail, dedupeKey?: string): Promise<boolean> {
  const [row] = await tx
    .insert(outgoingEmails)
    .values({ ...outgoingEmailSchema.parse(email), dedupeKey: dedupeKey ?? null })
    .onConflictDoNothing({ target: outgoingEmails.dedupeKey })
    .returning({ id: outgoingEmails.id, nextAttemptAt: outgoingEmails.nextAttemptAt });
  if (!row) return false;
  await scheduleSending(tx, row.id, row.nextAttemptAt);
  return true;
}

/**
 * The job that tries to send the email at `runAt`. One job per email (its job key): a second
 * schedule replaces a waiting one, and one added by the running job itself (its retry) detaches it.
 */
export async function scheduleSending(tx: DbOrTx, emailId: string, runAt: Date): Promise<void> {
  await addJob(tx, SEND_EMAIL_TASK, { emailId }, { runAt, jobKey: `email:${emailId}`, maxAttempts: JOB_MAX_ATTEMPTS });
}
