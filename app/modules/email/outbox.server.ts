import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";

export const SEND_EMAIL_TASK = "send_email";

export const outgoingEmailSchema = z.object({
  to: z.email(),
  subject: z.string().min(1).max(300),
  text: z.string().min(1),
});
export type OutgoingEmail = z.infer<typeof outgoingEmailSchema>;

/** Queues an email in the caller's transaction; the worker sends it and retries on failure. */
export async function queueEmail(tx: DbOrTx, email: OutgoingEmail): Promise<void> {
  await addJob(tx, SEND_EMAIL_TASK, outgoingEmailSchema.parse(email), { maxAttempts: 10 });
}
