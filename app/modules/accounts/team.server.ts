import { and, count, eq } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { memberships, organisations, sessions, users, type MembershipRole } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { queueCustomerSync } from "~/modules/billing/customer-sync.server";
import { queueEmail } from "~/modules/email/outbox.server";
import {
  leftMessage,
  ownershipGivenMessage,
  ownershipReceivedMessage,
  removedMessage,
  roleChangedMessage,
  roleWithArticle,
} from "~/modules/email/team-templates";
import { lockOrganisation } from "./seats.server";

/**
 * Team changes: role changes, removals, leaving and ownership transfers (issue 14, item 4). The
 * rules: owners and admins manage the team; only owners make owners or touch owners; the last
 * owner can neither leave nor be demoted or removed. Each change runs under the organisation's row
 * lock and re-reads every role there, so two tabs, a double click or a stale page cannot break the
 * rules; a repeat of a change already made answers "already done" and changes nothing. Each change
 * is audited and emailed to the person it affects.
 */

type Deps = { db: Database; config: { appUrl: string } };
export type TeamActor = { userId: string; name: string };

/** `changed` is false when the change had already been made (a repeat); `status` is the HTTP answer for a refusal. */
export type TeamChangeResult =
  { ok: true; changed: boolean; message: string } | { ok: false; status: 400 | 403 | 409; message: string };

type Person = { userId: string; name: string; email: string; role: MembershipRole | null };

type TeamState = {
  organisationName: string;
  actor: Person;
  target: Person;
  owners: number;
};

const refuse = (status: 400 | 403 | 409, message: string): TeamChangeResult => ({ ok: false, status, message });
const gone = (organisationName: string): TeamChangeResult =>
  refuse(403, `You are no longer a member of ${organisationName}.`);

/** A person and their role in the organisation now (null when not a member). */
async function person(tx: DbOrTx, organisationId: string, userId: string): Promise<Person | null> {
  const [row] = await tx
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(users)
    .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.organisationId, organisationId)))
    .where(eq(users.id, userId));
  return row ?? null;
}

/** Locks the organisation, then reads both people's roles and the owner count under that lock. */
async function lockedState(
  tx: DbOrTx,
  organisationId: string,
  actorId: string,
  targetId: string,
): Promise<TeamState | null> {
  if (!(await lockOrganisation(tx, organisationId))) return null;
  const [[organisation], actor, target, [owners]] = await Promise.all([
    tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, organisationId)),
    person(tx, organisationId, actorId),
    person(tx, organisationId, targetId),
    tx
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, "owner"))),
  ]);
  if (!organisation || !actor) return null;
  return {
    organisationName: organisation.name,
    actor,
    target: target ?? { userId: targetId, name: "That person", email: "", role: null },
    owners: owners?.n ?? 0,
  };
}

function teamLink(config: Deps["config"], organisationId: string): string {
  return `${config.appUrl}/orgs/${organisationId}/members`;
}

/** Sessions that had the organisation selected forget it, so the person's pages fall back to one they belong to. */
async function forgetOrganisation(tx: DbOrTx, organisationId: string, userId: string): Promise<void> {
  await tx
    .update(sessions)
    .set({ organisationId: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.organisationId, organisationId)));
}

/**
 * Gives a member another role. `expectedRole` is the role the page showed: when the role has
 * changed since, the change is refused (409) so nobody acts on a stale page. Refusals: members
 * (403), admins touching owners or making owners (403), demoting the last owner (409).
 */
export async function changeRole(
  { db, config }: Deps,
  actor: TeamActor,
  organisationId: string,
  change: { userId: string; role: MembershipRole; expectedRole?: MembershipRole },
): Promise<TeamChangeResult> {
  return db.transaction(async (tx): Promise<TeamChangeResult> => {
    const state = await lockedState(tx, organisationId, actor.userId, change.userId);
    if (!state?.actor.role) return gone(state?.organisationName ?? "this organisation");
    const { organisationName, target } = state;
    const self = target.userId === actor.userId;
    if (state.actor.role === "member") return refuse(403, "Only owners and admins can change roles.");
    if (!target.role) return refuse(409, `${target.name} is no longer a member of ${organisationName}.`);
    if (target.role === change.role)
      return {
        ok: true,
        changed: false,
        message: `${self ? "You are" : `${target.name} is`} already ${roleWithArticle(change.role)}.`,
      };
    if (state.actor.role !== "owner" && target.role === "owner")
      return refuse(403, "Only an owner can change an owner's role.");
    if (state.actor.role !== "owner" && change.role === "owner")
      return refuse(403, "Only an owner can make someone an owner.");
    if (change.expectedRole && change.expectedRole !== target.role)
      return refuse(
        409,
        `${target.name} became ${roleWithArticle(target.role)} since this page was loaded. Check the team below and try again.`,
      );
    if (target.role === "owner" && state.owners <= 1)
      return refuse(
        409,
        `${self ? "You are" : `${target.name} is`} the only owner of ${organisationName}. Transfer the ownership to someone else first.`,
      );

    await tx
      .update(memberships)
      .set({ role: change.role })
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, target.userId)));
    await recordAudit(
      tx,
      { type: "user", id: actor.userId },
      "membership.role_changed",
      { type: "user", id: target.userId },
      { from: target.role, to: change.role },
      organisationId,
    );
    // Stripe's customer carries an owner's email (customerDetails): a change of owners may change it.
    if (target.role === "owner" || change.role === "owner") await queueCustomerSync(tx, organisationId);
    await queueEmail(tx, {
      to: target.email,
      ...roleChangedMessage(
        target.name,
        organisationName,
        change.role,
        self ? null : actor.name,
        teamLink(config, organisationId),
      ),
    });
    return {
      ok: true,
      changed: true,
      message: `${self ? "You are" : `${target.name} is`} now ${roleWithArticle(change.role)}.`,
    };
  });
}

/**
 * Removes someone else from the organisation (yourself: `leaveOrganisation`). Owners remove
 * anyone but the last owner; admins remove admins and members. Removing someone already gone
 * changes nothing and says so.
 */
export async function removeMember(
  deps: Deps,
  actor: TeamActor,
  organisationId: string,
  userId: string,
): Promise<TeamChangeResult> {
  if (userId === actor.userId) return leaveOrganisation(deps, actor, organisationId);
  return deps.db.transaction(async (tx): Promise<TeamChangeResult> => {
    const state = await lockedState(tx, organisationId, actor.userId, userId);
    if (!state?.actor.role) return gone(state?.organisationName ?? "this organisation");
    const { organisationName, target } = state;
    if (state.actor.role === "member") return refuse(403, "Only owners and admins can remove people.");
    if (!target.role)
      return { ok: true, changed: false, message: `${target.name} is no longer a member of ${organisationName}.` };
    if (target.role === "owner" && state.actor.role !== "owner")
      return refuse(403, "Only an owner can remove an owner.");
    if (target.role === "owner" && state.owners <= 1)
      return refuse(409, `${target.name} is the only owner of ${organisationName} and cannot be removed.`);

    await tx
      .delete(memberships)
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, target.userId)));
    await forgetOrganisation(tx, organisationId, target.userId);
    await recordAudit(
      tx,
      { type: "user", id: actor.userId },
      "membership.removed",
      { type: "user", id: target.userId },
      { role: target.role },
      organisationId,
    );
    if (target.role === "owner") await queueCustomerSync(tx, organisationId);
    await queueEmail(tx, { to: target.email, ...removedMessage(target.name, organisationName, actor.name) });
    return { ok: true, changed: true, message: `${target.name} was removed from ${organisationName}.` };
  });
}

/** The person leaves the organisation; the last owner cannot (409) until someone else owns it. */
export async function leaveOrganisation(
  { db }: Deps,
  actor: TeamActor,
  organisationId: string,
): Promise<TeamChangeResult> {
  return db.transaction(async (tx): Promise<TeamChangeResult> => {
    const state = await lockedState(tx, organisationId, actor.userId, actor.userId);
    if (!state) return { ok: true, changed: false, message: "You are no longer a member of this organisation." };
    const { organisationName, actor: me } = state;
    if (!me.role) return { ok: true, changed: false, message: `You are no longer a member of ${organisationName}.` };
    if (me.role === "owner" && state.owners <= 1)
      return refuse(
        409,
        `You are the only owner of ${organisationName}. Transfer the ownership to someone else before you leave.`,
      );

    await tx
      .delete(memberships)
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, me.userId)));
    await forgetOrganisation(tx, organisationId, me.userId);
    await recordAudit(
      tx,
      { type: "user", id: me.userId },
      "membership.left",
      { type: "user", id: me.userId },
      { role: me.role },
      organisationId,
    );
    if (me.role === "owner") await queueCustomerSync(tx, organisationId);
    await queueEmail(tx, { to: me.email, ...leftMessage(me.name, organisationName) });
    return { ok: true, changed: true, message: `You left ${organisationName}.` };
  });
}

/**
 * An owner makes another member the owner and becomes an admin. A repeat after the transfer
 * (the other person owns it, the actor is no longer an owner) changes nothing and says so.
 */
export async function transferOwnership(
  { db, config }: Deps,
  actor: TeamActor,
  organisationId: string,
  userId: string,
): Promise<TeamChangeResult> {
  return db.transaction(async (tx): Promise<TeamChangeResult> => {
    const state = await lockedState(tx, organisationId, actor.userId, userId);
    if (!state?.actor.role) return gone(state?.organisationName ?? "this organisation");
    const { organisationName, target } = state;
    if (target.userId === actor.userId) return refuse(400, "Choose someone else to transfer the ownership to.");
    if (state.actor.role !== "owner") {
      if (target.role === "owner")
        return { ok: true, changed: false, message: `${target.name} already owns ${organisationName}.` };
      return refuse(403, "Only an owner can transfer the ownership.");
    }
    if (!target.role) return refuse(409, `${target.name} is no longer a member of ${organisationName}.`);

    const setRole = (id: string, role: MembershipRole) =>
      tx
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, id)));
    await setRole(target.userId, "owner");
    await setRole(actor.userId, "admin");
    await queueCustomerSync(tx, organisationId);
    await recordAudit(
      tx,
      { type: "user", id: actor.userId },
      "organisation.ownership_transferred",
      { type: "organisation", id: organisationId },
      { from: actor.userId, to: target.userId, previousRole: target.role },
      organisationId,
    );
    const link = teamLink(config, organisationId);
    await queueEmail(tx, {
      to: target.email,
      ...ownershipReceivedMessage(target.name, organisationName, state.actor.name, link),
    });
    await queueEmail(tx, {
      to: state.actor.email,
      ...ownershipGivenMessage(state.actor.name, organisationName, target.name, link),
    });
    return { ok: true, changed: true, message: `${target.name} now owns ${organisationName}; you are an admin.` };
  });
}
