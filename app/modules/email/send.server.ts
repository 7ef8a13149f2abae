import type { Transporter } from "nodemailer";
import { outgoingEmailSchema } from "./outbox.server";

/** The worker's side of the outbox: a malformed payload fails the job instead of sending garbage. */
export async function sendQueuedEmail(transport: Transporter, from: string, payload: unknown): Promise<void> {
  const email = outgoingEmailSchema.parse(payload);
  await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
}
