import type { TestDatabase } from "./database";

export type QueuedEmail = { to: string; subject: string; text: string };

/** Emails queued for the mail lane and not yet sent, oldest first. */
export async function queuedEmails(database: TestDatabase, to?: string): Promise<QueuedEmail[]> {
  const rows = await database.sql<QueuedEmail[]>`
    select "to", subject, text from outgoing_emails where sent_at is null order by queued_at, id`;
  return rows
    .map((row) => ({ to: row.to, subject: row.subject, text: row.text }))
    .filter((email) => !to || email.to === to);
}

/** The first link in a text that starts with the given path. */
export function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, "\\$&")}[^\\s]*`).exec(text);
  if (!match) throw new Error(`No ${path} link in:\n${text}`);
  return match[0];
}
