/**
 * Leaving and rejoining an email list (issue 15): the signed link lifecycle emails carry
 * (`List-Unsubscribe`, RFC 2369 and RFC 8058 one-click) and the choice it records in
 * `email_unsubscribes`. The token is the authority: no login is needed to use the link.
 */
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { emailUnsubscribes, memberships, organisations, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { consumeRateLimit, retryAfterText } from "~/lib/rate-limit.server";
import {
  createUnsubscribeToken,
  readUnsubscribeToken,
  type EmailList,
  type UnsubscribePayload,
} from "~/modules/accounts/signed-tokens.server";

/** The absolute unsubscribe URL of a person and list: `<appUrl>/unsubscribe/<token>`. */
export function unsubscribeUrl(appUrl: string, secret: string, payload: UnsubscribePayload): string {
  return `${appUrl}/unsubscribe/${createUnsubscribeToken(secret, payload)}`;
}

/** What the unsubscribe page shows: whose link it is, the list in words, and whether they still receive it. */
export type UnsubscribeLink = UnsubscribePayload & {
  name: string;
  email: string;
  /** "getting-started tips for Acme", naming the organisations the person owns. */
  listDescription: string;
  subscribed: boolean;
};

/** The link's person and list, or null for a tampered token or a person who no longer exists. */
export async function readUnsubscribeLink(db: DbOrTx, secret: string, token: string): Promise<UnsubscribeLink | null> {
  const payload = readUnsubscribeToken(secret, token);
  if (!payload) return null;
  const [person] = await db
    .select({ name: users.name, email: users.email, left: emailUnsubscribes.list })
    .from(users)
    .leftJoin(emailUnsubscribes, and(eq(emailUnsubscribes.userId, users.id), eq(emailUnsubscribes.list, payload.list)))
    .where(eq(users.id, payload.userId));
  if (!person) return null;
  const owned = await db
    .select({ name: organisations.name })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(and(eq(memberships.userId, payload.userId), eq(memberships.role, "owner")))
    .orderBy(asc(organisations.name));
  return {
    ...payload,
    name: person.name,
    email: person.email,
    listDescription: describeList(
      payload.list,
      owned.map((o) => o.name),
    ),
    subscribed: person.left === null,
  };
}

function describeList(list: EmailList, organisationNames: string[]): string {
  switch (list) {
    case "onboarding":
      return organisationNames.length
        ? `getting-started tips for ${joinWords(organisationNames)}`
        : "getting-started tips for your trials";
  }
}

/** "A", "A and B", "A, B and C". */
function joinWords(words: string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * Records the person's choice for the list: leave (`subscribed: false`) or rejoin. Idempotent: a
 * choice already in force changes nothing and is not audited again; a change is audited
 * (`email.unsubscribed` / `email.resubscribed`, actor the person) in its own transaction.
 * Returns whether anything changed.
 */
export async function setSubscription(
  db: Database,
  payload: UnsubscribePayload,
  subscribed: boolean,
): Promise<{ changed: boolean }> {
  return db.transaction(async (tx) => {
    const changed = subscribed
      ? await tx
          .delete(emailUnsubscribes)
          .where(and(eq(emailUnsubscribes.userId, payload.userId), eq(emailUnsubscribes.list, payload.list)))
          .returning({ userId: emailUnsubscribes.userId })
      : await tx
          .insert(emailUnsubscribes)
          .values(payload)
          .onConflictDoNothing()
          .returning({ userId: emailUnsubscribes.userId });
    if (changed.length === 0) return { changed: false };
    await recordAudit(
      tx,
      { type: "user", id: payload.userId },
      subscribed ? "email.resubscribed" : "email.unsubscribed",
      { type: "user", id: payload.userId },
      { list: payload.list },
    );
    return { changed: true };
  });
}

export const INVALID_UNSUBSCRIBE_LINK =
  "This unsubscribe link is incomplete or was changed. Open it again from the email, or use your mail app's unsubscribe button.";

/** The body of a mail provider's one-click unsubscribe POST (RFC 8058 §3.1), as form fields. */
export const oneClickSchema = z.object({ "List-Unsubscribe": z.literal("One-Click") });

export type LinkChoiceResult =
  | { ok: true; changed: boolean }
  | { ok: false; limited: false; message: string }
  | { ok: false; limited: true; message: string; retryAfterSeconds: number };

/**
 * Applies a choice made with an unsubscribe link, for the page's buttons and the one-click POST
 * alike: refused (400) for a tampered link or a person who no longer exists, `limited` (429) past the `unsubscribe`
 * budget of the person the link names (mail providers post from shared addresses, so not per
 * address), else `setSubscription`.
 */
export async function chooseWithLink(
  db: Database,
  secret: string,
  token: string,
  subscribed: boolean,
): Promise<LinkChoiceResult> {
  const link = await readUnsubscribeLink(db, secret, token);
  if (!link) return { ok: false, limited: false, message: INVALID_UNSUBSCRIBE_LINK };
  const limit = await consumeRateLimit(db, "unsubscribe", link.userId);
  if (!limit.allowed)
    return {
      ok: false,
      limited: true,
      message: `Too many changes to these emails. Try again in ${retryAfterText(limit.retryAfterSeconds)}.`,
      retryAfterSeconds: limit.retryAfterSeconds,
    };
  return { ok: true, ...(await setSubscription(db, { userId: link.userId, list: link.list }, subscribed)) };
}
