import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * Every email the portal sends, written in the transaction that causes it. A row stays unsent, with
 * its attempts and last error, until the mail server takes it: the worker retries it for as long as
 * that takes, and staff see the unsent ones. The id is also the email's Message-ID.
 */
export const outgoingEmails = pgTable(
  "outgoing_emails",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    /** Failed attempts so far; 0 until the first one fails. */
    attempts: integer("attempts").notNull().default(0),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    /** What the mail server (or the connection to it) answered on the last failed attempt. */
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /**
     * Set for an email that must go out once whatever repeats its cause (a webhook delivered twice,
     * two paths accepting one order): e.g. `receipt:<invoice id>:<address>`. Null for the others.
     */
    dedupeKey: text("dedupe_key"),
    /**
     * For an email of a list people can leave (lifecycle emails): the one-click unsubscribe URL sent
     * as `List-Unsubscribe` with `List-Unsubscribe-Post` (RFC 8058). Null for transactional email.
     */
    listUnsubscribe: text("list_unsubscribe"),
  },
  (t) => [
    uniqueIndex("outgoing_emails_dedupe_key_idx").on(t.dedupeKey),
    index("outgoing_emails_unsent_idx")
      .on(t.queuedAt)
      .where(sql`${t.sentAt} is null`),
  ],
);
