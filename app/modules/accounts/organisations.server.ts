import { createHash, randomBytes } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { invitations, memberships, organisations, users, type MembershipRole } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { queueEmail } from "~/modules/email/outbox.server";
import { invitationMessage } from "~/modules/email/templates";
import {
  lockOrganisation,
  moreSeatsPath,
  pendingInvitationsOf,
  seatAllowance,
  seatLimitMessage,
  usedSeats,
  type MoreSeats,
} from "./seats.server";

/** Accounts need the database, the public URL for links and the secret that signs them. */
type Deps = { db: AppLoadContext["db"]; config: Pick<AppLoadContext["config"], "appUrl" | "sessionSecret"> };

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MANAGERS: MembershipRole[] = ["owner", "admin"];

export async function listMemberships(db: DbOrTx, userId: string) {
  return db
    .select({ organisationId: organisations.id, name: organisations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organisations.name), asc(organisations.id));
}

/**
 * The person's membership of the organisation, checked on the server for every organisation
 * page. Outsiders get a 404, the same as for an organisation that does not exist.
 */
export async function requireMembership(db: DbOrTx, userId: string, organisationId: string, roles?: MembershipRole[]) {
  const [membership] = /^[0-9a-f-]{36}$/i.test(organisationId)
    ? await db
        .select({ organisationId: organisations.id, name: organisations.name, role: memberships.role })
        .from(memberships)
        .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
        .where(and(eq(memberships.userId, userId), eq(memberships.organisationId, organisationId)))
    : [];
  if (!membership) throw new Response("Not found", { status: 404 });
  if (roles && !roles.includes(membership.role))
    throw new Response("Only owners and admins can do this", { status: 403 });
  return membership;
}

export async function createOrganisation(db: DbOrTx, userId: string, name: string): Promise<string> {
  const [organisation] = await db
    .insert(organisations)
    .values({ name, createdBy: userId })
    .returning({ id: organisations.id });
  await db.insert(memberships).values({ organisationId: organisation!.id, userId, role: "owner" });
  await recordAudit(
    db,
    { type: "user", id: userId },
    "organisation.created",
    { type: "organisation", id: organisation!.id },
    { name },
    organisation!.id,
  );
  return organisation!.id;
}

export async function listMembers(db: DbOrTx, organisationId: string) {
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(users.name));
}

export async function listPendingInvitations(db: DbOrTx, organisationId: string) {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .where(pendingInvitationsOf(organisationId))
    .orderBy(desc(invitations.createdAt));
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export type InviteResult = { ok: true } | { ok: false; message: string; moreSeats?: MoreSeats };

/**
 * Owners and admins invite by email; only an owner may invite another owner. An invitation takes
 * a user (see `seatUsage`): past the users bought it is refused with the way to more
 * (`moreSeats`). The check runs under the organisation's row lock, so two tabs cannot both take
 * the last user; a new invitation to an address with a pending one replaces it and takes no more.
 */
export async function inviteMember(
  { db, config }: Deps,
  inviter: { userId: string; name: string; role: MembershipRole },
  organisation: { organisationId: string; name: string },
  email: string,
  role: MembershipRole,
): Promise<InviteResult> {
  if (!MANAGERS.includes(inviter.role)) return { ok: false, message: "Only owners and admins can invite people" };
  if (role === "owner" && inviter.role !== "owner")
    return { ok: false, message: "Only an owner can invite another owner" };

  const token = randomBytes(32).toString("base64url");
  return db.transaction(async (tx): Promise<InviteResult> => {
    await lockOrganisation(tx, organisation.organisationId);
    const [alreadyMember] = await tx
      .select({ userId: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, organisation.organisationId), eq(users.email, email)));
    if (alreadyMember) return { ok: false, message: "That person is already a member" };

    const pending = and(
      eq(invitations.organisationId, organisation.organisationId),
      eq(invitations.email, email),
      isNull(invitations.acceptedAt),
      isNull(invitations.revokedAt),
    );
    const [replacing] = await tx
      .select({ id: invitations.id })
      .from(invitations)
      .where(and(pending, gt(invitations.expiresAt, sql`now()`)));
    if (!replacing) {
      const [used, allowance] = await Promise.all([
        usedSeats(tx, organisation.organisationId),
        seatAllowance(tx, organisation.organisationId),
      ]);
      if (allowance.bought !== null && used + 1 > allowance.bought)
        return {
          ok: false,
          message: seatLimitMessage(allowance, organisation.name, used),
          moreSeats: moreSeatsPath(allowance, used + 1) ?? undefined,
        };
    }
    // A new invitation for the same address replaces the pending one.
    await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(pending);
    const [invitation] = await tx
      .insert(invitations)
      .values({
        organisationId: organisation.organisationId,
        email,
        role,
        tokenHash: hashToken(token),
        invitedBy: inviter.userId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning({ id: invitations.id });
    await recordAudit(
      tx,
      { type: "user", id: inviter.userId },
      "invitation.created",
      { type: "invitation", id: invitation!.id },
      { email, role },
      organisation.organisationId,
    );
    await queueEmail(tx, {
      to: email,
      ...invitationMessage(inviter.name, organisation.name, role, `${config.appUrl}/invitations/${token}`),
    });
    return { ok: true };
  });
}

export async function revokeInvitation(
  db: DbOrTx,
  actorId: string,
  organisationId: string,
  invitationId: string,
): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(invitationId)) return false;
  return db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.organisationId, organisationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id });
    if (revoked)
      await recordAudit(
        tx,
        { type: "user", id: actorId },
        "invitation.revoked",
        { type: "invitation", id: revoked.id },
        {},
        organisationId,
      );
    return Boolean(revoked);
  });
}

/** An invitation that can still be accepted, with its organisation's name. */
export async function findOpenInvitation(db: DbOrTx, token: string) {
  const [invitation] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      organisationId: invitations.organisationId,
      organisationName: organisations.name,
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(
      and(
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, sql`now()`),
      ),
    );
  return invitation ?? null;
}

export type AcceptResult = { ok: true; organisationId: string } | { ok: false; message: string };

/**
 * The signed-in person joins with the invited role. The invitation names an address, and only
 * the account with that address may use it, so a forwarded link is useless. Receiving the
 * emailed link proves the address, so it counts as confirmed.
 */
export async function acceptInvitation(
  db: Database,
  token: string,
  user: { userId: string; email: string },
): Promise<AcceptResult> {
  const invitation = await findOpenInvitation(db, token);
  if (!invitation) return { ok: false, message: "This invitation has expired, was withdrawn, or was already used." };
  if (invitation.email !== user.email) {
    return { ok: false, message: `This invitation is for ${invitation.email}. Log in with that address to accept it.` };
  }
  return db.transaction(async (tx): Promise<AcceptResult> => {
    if (!(await claimInvitation(tx, invitation, user.userId)))
      return { ok: false, message: "This invitation was already used." };
    await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(eq(users.id, user.userId));
    return { ok: true, organisationId: invitation.organisationId };
  });
}

/** Marks the invitation used and adds the membership; false when someone used it first. */
export async function claimInvitation(
  tx: DbOrTx,
  invitation: { id: string; role: MembershipRole; organisationId: string },
  userId: string,
): Promise<boolean> {
  const [claimed] = await tx
    .update(invitations)
    .set({ acceptedAt: sql`now()`, acceptedBy: userId })
    .where(
      and(
        eq(invitations.id, invitation.id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: invitations.id });
  if (!claimed) return false;
  await tx
    .insert(memberships)
    .values({ organisationId: invitation.organisationId, userId, role: invitation.role })
    .onConflictDoNothing();
  await recordAudit(
    tx,
    { type: "user", id: userId },
    "invitation.accepted",
    { type: "invitation", id: invitation.id },
    { role: invitation.role },
    invitation.organisationId,
  );
  return true;
}

/** Who hears about the account's services and billing: its owners and admins. */
export async function accountManagers(db: DbOrTx, organisationId: string) {
  return db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), inArray(memberships.role, MANAGERS)));
}

/** The organisation the person is working in (their session's, else their first), with their role checked. */
export async function currentOrganisation(
  db: DbOrTx,
  user: { userId: string; organisationId: string | null },
  roles?: MembershipRole[],
) {
  const organisationId = user.organisationId ?? (await listMemberships(db, user.userId))[0]?.organisationId;
  if (!organisationId) throw redirect("/account");
  return requireMembership(db, user.userId, organisationId, roles);
}
