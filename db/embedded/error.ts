/**
 * A failure to start the embedded PostgreSQL, worded for the person who ran the command: its
 * message is one sentence saying what failed and what to do, and never carries a stack trace.
 */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

/** What to do when the embedded PostgreSQL cannot be used at all. */
export const USE_YOUR_OWN = "or set DATABASE_URL to use a PostgreSQL of your own";

/** `EACCES`, `ENOTDIR`… with the system's words for it, e.g. "permission denied (EACCES)". */
export function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (!code) return String(message ?? error);
  const words = message?.match(new RegExp(`${code}: ([^,]+)`))?.[1];
  return words ? `${words} (${code})` : code;
}
