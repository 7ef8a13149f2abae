/**
 * Staff notes on an account (issue 16 item 1): plain text (shown as typed, never rendered as
 * markdown or HTML), newest first, never edited (a correction is another note), audited.
 */
import { and, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { staffNotes, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { textField } from "~/lib/text";

/** The longest note, in characters after trimming: a few paragraphs, what a call summary needs. */
export const NOTE_MAX_LENGTH = 4000;
/** Notes shown per page of the account page. */
export const NOTES_PAGE_SIZE = 20;
/** The same note from the same person within this window is a double submit or a second tab, not a new note. */
const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** The note field as every form reads it: required, trimmed, line breaks kept, at most 4,000 characters. */
export const noteBody = textField({ required: "Write the note", max: NOTE_MAX_LENGTH, multiline: true });

export type StaffNote = { id: string; body: string; createdAt: Date; authorName: string | null };

/**
 * Adds a note by `authorId` to the account and audits it (`account.note_added`, in the same
 * transaction). The same body by the same author on the same account within 10 minutes is the
 * same note (a double click, a second tab): nothing is added and `added` is false. Concurrent
 * submits are serialised per account by a transaction-level advisory lock. `body` must already be
 * validated with `noteBody`.
 */
export async function addStaffNote(
  db: Database,
  input: { accountId: string; authorId: string; body: string },
  now = new Date(),
): Promise<{ id: string; added: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`staff_notes:${input.accountId}`}))`);
    const [same] = await tx
      .select({ id: staffNotes.id })
      .from(staffNotes)
      .where(
        and(
          eq(staffNotes.accountId, input.accountId),
          gt(staffNotes.createdAt, new Date(now.getTime() - DUPLICATE_WINDOW_MS)),
          eq(staffNotes.authorId, input.authorId),
          eq(staffNotes.body, input.body),
        ),
      )
      .limit(1);
    if (same) return { id: same.id, added: false };
    const [note] = await tx
      .insert(staffNotes)
      .values({ accountId: input.accountId, authorId: input.authorId, body: input.body, createdAt: now })
      .returning({ id: staffNotes.id });
    await recordAudit(
      tx,
      { type: "staff", id: input.authorId },
      "account.note_added",
      { type: "staff_note", id: note!.id },
      { length: input.body.length },
      input.accountId,
    );
    return { id: note!.id, added: true };
  });
}

/**
 * The account's notes newest first, a page at a time by (created_at, id) on `staff_notes_account_idx`;
 * `cursor` is the previous page's `nextCursor` (anything else starts from the newest).
 */
export async function listStaffNotes(
  db: DbOrTx,
  accountId: string,
  cursor: string | null,
  pageSize = NOTES_PAGE_SIZE,
): Promise<{ notes: StaffNote[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ["time", "uuid"] as const);
  const rows = await db
    .select({ id: staffNotes.id, body: staffNotes.body, createdAt: staffNotes.createdAt, authorName: users.name })
    .from(staffNotes)
    .leftJoin(users, eq(users.id, staffNotes.authorId))
    .where(
      and(
        eq(staffNotes.accountId, accountId),
        after
          ? or(lt(staffNotes.createdAt, after[0]), and(eq(staffNotes.createdAt, after[0]), lt(staffNotes.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(desc(staffNotes.createdAt), desc(staffNotes.id))
    .limit(pageSize + 1);
  const notes = rows.slice(0, pageSize);
  const last = notes.at(-1);
  return { notes, nextCursor: rows.length > pageSize && last ? encodeCursor([last.createdAt, last.id]) : null };
}
