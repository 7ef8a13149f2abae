import { randomBytes } from "node:crypto";
import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { users, type StaffRole } from "#db/schema";
import { systemActor, recordAudit } from "~/lib/audit.server";
import { requestPasswordReset } from "./accounts.server";
import { hashPassword } from "./passwords.server";
import { staffRoleLabels } from "./staff-roles";

type StaffInput = { email: string; name: string; password: string; role: StaffRole };

/**
 * Creates a staff account, or makes an existing account staff with this password. Staff roles
 * are separate from the roles people hold in customer organisations.
 */
export async function upsertStaffAccount(db: DbOrTx, input: StaffInput): Promise<{ id: string; created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ email: input.email, name: input.name, passwordHash, staffRole: input.role, emailVerifiedAt: new Date() })
    .onConflictDoUpdate({
      target: users.email,
      set: {
        passwordHash,
        staffRole: input.role,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ id: users.id, created: sql<boolean>`(xmax = 0)` });
  await recordAudit(
    db,
    systemActor,
    row!.created ? "staff.created" : "staff.updated",
    { type: "user", id: row!.id },
    { role: input.role },
  );
  return row!;
}

/** Everyone on staff, for operational notices. */
export async function staffRecipients(db: DbOrTx) {
  return db.select({ email: users.email, name: users.name }).from(users).where(isNotNull(users.staffRole));
}

/** Everyone on staff, admins first, for the staff admins' team page. */
export async function listStaff(db: DbOrTx) {
  return db
    .select({ id: users.id, name: users.name, email: users.email, role: users.staffRole })
    .from(users)
    .where(isNotNull(users.staffRole))
    .orderBy(asc(sql`${users.staffRole} <> 'admin'`), asc(users.name), asc(users.email));
}

export type StaffChange = { ok: true; message: string } | { ok: false; message: string };
type Deps = Parameters<typeof requestPasswordReset>[0];
type Admin = { userId: string };

/**
 * A staff admin adds someone to staff (ADR 15). A new address gets an account and a link to
 * choose its password (the reset email, valid one hour); an existing account keeps its password
 * and gains the role. Adding someone already on staff changes nothing, so a repeated submission is
 * harmless. Audited as `staff.created` or `staff.granted`.
 */
export async function addStaffMember(
  deps: Deps,
  admin: Admin,
  input: { email: string; name: string; role: StaffRole },
): Promise<StaffChange> {
  // Nobody knows this password: the person chooses their own through the emailed link.
  const passwordHash = await hashPassword(randomBytes(32).toString("base64url"));
  return deps.db.transaction(async (tx) => {
    const actor = { type: "staff", id: admin.userId } as const;
    const [created] = await tx
      .insert(users)
      .values({ ...input, passwordHash, staffRole: input.role, emailVerifiedAt: new Date() })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (created) {
      await recordAudit(tx, actor, "staff.created", { type: "user", id: created.id }, { role: input.role });
      await requestPasswordReset({ ...deps, db: tx }, input.email);
      return { ok: true, message: `${input.email} is on staff now. We emailed them a link to choose a password.` };
    }
    const [granted] = await tx
      .update(users)
      .set({ staffRole: input.role, updatedAt: sql`now()` })
      .where(and(eq(users.email, input.email), isNull(users.staffRole)))
      .returning({ id: users.id });
    if (granted) {
      await recordAudit(tx, actor, "staff.granted", { type: "user", id: granted.id }, { role: input.role });
      return { ok: true, message: `${input.email} is on staff now. They log in with their existing password.` };
    }
    return { ok: true, message: `${input.email} is already on staff; nothing changed.` };
  });
}

/**
 * Changes a staff member's role, or with `null` removes their staff access (their customer
 * memberships, if any, stay). Admins cannot change their own access, and the last admin cannot be
 * demoted or removed, even by two admins acting at once: the admins' rows are locked first.
 * Audited as `staff.role_changed` or `staff.removed`.
 */
export async function changeStaffRole(
  db: DbOrTx,
  admin: Admin,
  userId: string,
  role: StaffRole | null,
): Promise<StaffChange> {
  if (userId === admin.userId) return { ok: false, message: "You cannot change your own staff access." };
  return db.transaction(async (tx) => {
    const admins = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.staffRole, "admin"))
      .orderBy(users.id)
      .for("update");
    const [member] = await tx
      .select({ email: users.email, role: users.staffRole })
      .from(users)
      .where(and(eq(users.id, userId), isNotNull(users.staffRole)))
      .for("update");
    if (!member) return { ok: false, message: "That person is not on staff (any more)." };
    if (member.role === role) return { ok: true, message: `Nothing to change for ${member.email}.` };
    if (member.role === "admin" && admins.length <= 1)
      return { ok: false, message: "There must always be a staff admin: make someone else admin first." };
    await tx
      .update(users)
      .set({ staffRole: role, updatedAt: sql`now()` })
      .where(eq(users.id, userId));
    await recordAudit(
      tx,
      { type: "staff", id: admin.userId },
      role ? "staff.role_changed" : "staff.removed",
      { type: "user", id: userId },
      { from: member.role, to: role },
    );
    return {
      ok: true,
      message: role ? `${member.email} is ${staffRoleLabels[role]} now.` : `${member.email} is no longer on staff.`,
    };
  });
}
