import { createHash } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { memberships, organisations, users, type MembershipRole } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { retryAfterText } from "~/lib/rate-limit.server";
import { queueEmail } from "~/modules/email/outbox.server";
import {
  accountExistsMessage,
  changeEmailMessage,
  emailChangedNotice,
  passwordChangedNotice,
  resetPasswordMessage,
  verifyEmailMessage,
} from "~/modules/email/templates";
import { admitPasswordCheck, refundOnSuccess } from "./password-attempts.server";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./passwords.server";
import { createSignedToken, readSignedToken } from "./signed-tokens.server";
import type { SignupIntent } from "./signup-intent";
import { claimInvitation } from "./organisations.server";
import { endOtherSessions } from "./sessions.server";
import { dropUnconfirmedSetup } from "./takeover.server";
import { queueCustomerSyncForOwner } from "~/modules/billing/customer-sync.server";

/** Accounts need the database, the public URL for links and the secret that signs them. */
type Deps = { db: AppLoadContext["db"]; config: Pick<AppLoadContext["config"], "appUrl" | "sessionSecret"> };

const DAY_MS = 24 * 60 * 60 * 1000;
const RESET_TTL_MS = 60 * 60 * 1000;

function passwordFingerprint(passwordHash: string): string {
  return createHash("sha256").update(passwordHash).digest("base64url").slice(0, 16);
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  return user ?? null;
}

type SignupInput = { name: string; email: string; password: string; company?: string };
type SignupExtras = {
  attribution?: Record<string, unknown> | null;
  /** An open invitation for this address: the person joins that organisation instead of founding one. */
  invitation?: { id: string; email: string; role: MembershipRole; organisationId: string } | null;
  /** The plan to try or buy and the lead acted on: signed into the confirmation link, carried out on confirmation. */
  intent?: SignupIntent;
};
export type SignupOutcome = { kind: "check_email" } | { kind: "joined"; userId: string; organisationId: string };

/**
 * Creates the person, their organisation and its owner membership, and emails a verification
 * link, all in one transaction. An address that already has an account gets an email saying so
 * instead, and the caller answers both cases alike, so sign-up does not reveal who has an account.
 * Invited people join the inviting organisation; the emailed invitation already proved the address.
 */
export async function signUp(
  { db, config }: Deps,
  input: SignupInput,
  extras: SignupExtras = {},
): Promise<SignupOutcome> {
  const passwordHash = await hashPassword(input.password);
  const invitation = extras.invitation?.email === input.email ? extras.invitation : null;
  if (!invitation && !input.company) throw new Error("A company name is needed to found an organisation");
  return db.transaction(async (tx): Promise<SignupOutcome> => {
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, emailVerifiedAt: invitation ? new Date() : null })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (!user) {
      const existing = (await findUserByEmail(tx, input.email))!;
      await queueEmail(tx, {
        to: existing.email,
        ...accountExistsMessage(existing.name, `${config.appUrl}/login`, `${config.appUrl}/forgot-password`),
      });
      return { kind: "check_email" };
    }
    const actor = { type: "user", id: user.id } as const;
    if (invitation) {
      const joined = await claimInvitation(tx, invitation, user.id);
      if (joined) {
        await recordAudit(
          tx,
          actor,
          "user.signed_up",
          { type: "user", id: user.id },
          { invitation: invitation.id },
          invitation.organisationId,
        );
        return { kind: "joined", userId: user.id, organisationId: invitation.organisationId };
      }
    }
    const [organisation] = await tx
      .insert(organisations)
      .values({ name: input.company ?? input.name, createdBy: user.id, attribution: extras.attribution ?? null })
      .returning({ id: organisations.id });
    await tx.insert(memberships).values({ organisationId: organisation!.id, userId: user.id, role: "owner" });
    await recordAudit(
      tx,
      actor,
      "user.signed_up",
      { type: "user", id: user.id },
      { company: input.company },
      organisation!.id,
    );
    await queueVerificationEmail(tx, config, { id: user.id, email: input.email, name: input.name }, extras.intent);
    return { kind: "check_email" };
  });
}

async function queueVerificationEmail(
  tx: DbOrTx,
  config: Deps["config"],
  user: { id: string; email: string; name: string },
  intent?: SignupIntent,
) {
  const token = createSignedToken(
    config.sessionSecret,
    { purpose: "verify_email", userId: user.id, email: user.email, ...(intent ? { intent } : {}) },
    DAY_MS,
  );
  await queueEmail(tx, {
    to: user.email,
    ...verifyEmailMessage(user.name, `${config.appUrl}/verify-email?token=${token}`),
  });
}

/** Sends a fresh verification link to a signed-in person whose address is not yet confirmed. */
export async function resendVerification({ db, config }: Deps, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (user && !user.emailVerifiedAt) await queueVerificationEmail(tx, config, user);
  });
}

export type EmailVerification = {
  userId: string;
  /** True for the click that confirmed the address; false for any later one. */
  confirmedNow: boolean;
  /** What the person signed up to do, from the signed link (`fulfilSignupIntent` carries it out). */
  intent: SignupIntent;
};

/**
 * Marks the address confirmed when the link is valid and still names the account's address, and
 * returns the account's id with the sign-up intent the link carries (null for a bad link). Following the link proves control of the address:
 * the first confirmation drops what the account set up while unconfirmed and ends its other sessions
 * (`dropUnconfirmedSetup`), keeping `confirmingSessionId`, the browser that followed the link. A
 * second click changes nothing.
 */
export async function verifyEmail(
  { db, config }: Deps,
  token: string,
  confirmingSessionId: string | null = null,
): Promise<EmailVerification | null> {
  const payload = readSignedToken(config.sessionSecret, "verify_email", token);
  if (!payload) return null;
  const intent = payload.intent ?? {};
  return db.transaction(async (tx): Promise<EmailVerification | null> => {
    const [confirmed] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
      .where(
        sql`${users.id} = ${payload.userId} and ${users.email} = ${payload.email} and ${users.emailVerifiedAt} is null`,
      )
      .returning({ id: users.id });
    if (!confirmed) {
      const [already] = await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`${users.id} = ${payload.userId} and ${users.email} = ${payload.email}`);
      return already ? { userId: already.id, confirmedNow: false, intent } : null;
    }
    await dropUnconfirmedSetup(tx, confirmed.id, confirmingSessionId);
    await recordAudit(tx, { type: "user", id: confirmed.id }, "user.email_verified", {
      type: "user",
      id: confirmed.id,
    });
    return { userId: confirmed.id, confirmedNow: true, intent };
  });
}

/** The account for these credentials, or null; unknown addresses cost the same time as wrong passwords. */
export async function authenticate(db: DbOrTx, email: string, password: string) {
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
  return user && valid ? user : null;
}

/** Emails a one-time reset link when the address has an account; silent otherwise. */
export async function requestPasswordReset({ db, config }: Deps, email: string): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    const token = createSignedToken(
      config.sessionSecret,
      {
        purpose: "reset_password",
        userId: user.id,
        email: user.email,
        fingerprint: passwordFingerprint(user.passwordHash),
      },
      RESET_TTL_MS,
    );
    await queueEmail(tx, {
      to: user.email,
      ...resetPasswordMessage(user.name, `${config.appUrl}/reset-password?token=${token}`),
    });
  });
}

/** Whether a reset link can still be used: intact, unexpired, and its password not yet replaced. */
export async function resetTokenUser({ db, config }: Deps, token: string) {
  const payload = readSignedToken(config.sessionSecret, "reset_password", token);
  if (!payload) return null;
  const [user] = await db.select().from(users).where(eq(users.id, payload.userId));
  if (!user || user.email !== payload.email || passwordFingerprint(user.passwordHash) !== payload.fingerprint)
    return null;
  return user;
}

/**
 * Sets the new password and signs the person out everywhere; false when the link is no longer valid.
 * The emailed link proves control of the address, so it also confirms it; an account that was
 * unconfirmed until now loses what it set up meanwhile (`dropUnconfirmedSetup`): whoever registered
 * someone else's address keeps nothing once its owner takes it over.
 */
export async function resetPassword(deps: Deps, token: string, password: string): Promise<boolean> {
  const user = await resetTokenUser(deps, token);
  if (!user) return false;
  const passwordHash = await hashPassword(password);
  return deps.db.transaction(async (tx) => {
    // The fingerprint check again, under the row lock: two tabs cannot both use one link.
    const [current] = await tx
      .select({ emailVerifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(sql`${users.id} = ${user.id} and ${users.passwordHash} = ${user.passwordHash}`)
      .for("update");
    if (!current) return false;
    await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
      .where(eq(users.id, user.id));
    if (current.emailVerifiedAt) await endOtherSessions(tx, user.id, null);
    else await dropUnconfirmedSetup(tx, user.id, null);
    await recordAudit(tx, { type: "user", id: user.id }, "user.password_reset", { type: "user", id: user.id });
    await queueEmail(tx, { to: user.email, ...passwordChangedNotice(user.name) });
    return true;
  });
}

export type ChangeResult = { ok: true } | { ok: false; field: string; message: string; retryAfterSeconds?: number };

const wrongCurrentPassword: Extract<ChangeResult, { ok: false }> = {
  ok: false,
  field: "currentPassword",
  message: "That is not your current password",
};

/**
 * The account, when the signed-in person proves it is them with the current password; or the
 * refusal to show. Each check is paid for first from the user's `currentPassword` budget (5 per
 * 15 minutes, given back on success), so a stolen session cannot guess the password at the
 * speed of the settings form.
 */
async function userConfirmedByPassword(db: Database, userId: string, currentPassword: string) {
  const admission = await admitPasswordCheck(db, [["currentPassword", userId]]);
  if (!admission.allowed) {
    const wait = retryAfterText(admission.retryAfterSeconds);
    return {
      ok: false,
      field: "currentPassword",
      message: `Too many wrong passwords. Try again in ${wait}.`,
      retryAfterSeconds: admission.retryAfterSeconds,
    } as const;
  }
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) return wrongCurrentPassword;
  await refundOnSuccess(db, admission);
  return { ok: true, user } as const;
}

/** Needs the current password; keeps this session and ends all others. */
export async function changePassword(
  { db }: Deps,
  userId: string,
  sessionId: string,
  currentPassword: string,
  newPassword: string,
): Promise<ChangeResult> {
  const confirmed = await userConfirmedByPassword(db, userId, currentPassword);
  if (!confirmed.ok) return confirmed;
  const { user } = confirmed;
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: sql`now()` })
      .where(eq(users.id, userId));
    await endOtherSessions(tx, userId, sessionId);
    await recordAudit(tx, { type: "user", id: userId }, "user.password_changed", { type: "user", id: userId });
    await queueEmail(tx, { to: user.email, ...passwordChangedNotice(user.name) });
  });
  return { ok: true };
}

/** Needs the current password; the change happens only when the new address confirms it. */
export async function requestEmailChange(
  { db, config }: Deps,
  userId: string,
  newEmail: string,
  currentPassword: string,
): Promise<ChangeResult> {
  const confirmed = await userConfirmedByPassword(db, userId, currentPassword);
  if (!confirmed.ok) return confirmed;
  const { user } = confirmed;
  if (newEmail === user.email) return { ok: false, field: "newEmail", message: "That is already your email address" };
  const token = createSignedToken(
    config.sessionSecret,
    { purpose: "change_email", userId, email: newEmail, fingerprint: user.email },
    DAY_MS,
  );
  await db.transaction(async (tx) => {
    await queueEmail(tx, {
      to: newEmail,
      ...changeEmailMessage(user.name, `${config.appUrl}/confirm-email-change?token=${token}`),
    });
  });
  return { ok: true };
}

export type EmailChangeOutcome = "changed" | "invalid" | "taken";

/** Applies a confirmed address change and tells the old address about it. */
export async function confirmEmailChange({ db, config }: Deps, token: string): Promise<EmailChangeOutcome> {
  const payload = readSignedToken(config.sessionSecret, "change_email", token);
  if (!payload?.fingerprint) return "invalid";
  const oldEmail = payload.fingerprint;
  return db.transaction(async (tx) => {
    const holder = await findUserByEmail(tx, payload.email);
    if (holder && holder.id !== payload.userId) return "taken";
    const [updated] = await tx
      .update(users)
      .set({ email: payload.email, emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
      .where(sql`${users.id} = ${payload.userId} and ${users.email} = ${oldEmail}`)
      .returning({ id: users.id, name: users.name });
    if (!updated) return "invalid";
    await recordAudit(
      tx,
      { type: "user", id: updated.id },
      "user.email_changed",
      { type: "user", id: updated.id },
      { from: oldEmail, to: payload.email },
    );
    await queueEmail(tx, { to: oldEmail, ...emailChangedNotice(updated.name, payload.email) });
    // Stripe's receipts for the organisations they own go to the new address.
    await queueCustomerSyncForOwner(tx, updated.id);
    return "changed";
  });
}
