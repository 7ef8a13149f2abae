import type { TestDatabase } from "./database";

export type QueuedEmail = { to: string; subject: string; text: string };

/** Emails queued for the worker (not yet sent), oldest first; the public jobs view omits payloads. */
export async function queuedEmails(database: TestDatabase, to?: string): Promise<QueuedEmail[]> {
  const rows = await database.sql<{ payload: QueuedEmail }[]>`
    select j.payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'send_email' order by j.id`;
  return rows.map((row) => row.payload).filter((email) => !to || email.to === to);
}

/** The first link in a text that starts with the given path. */
export function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, "\\$&")}[^\\s]*`).exec(text);
  if (!match) throw new Error(`No ${path} link in:\n${text}`);
  return match[0];
}
