import { isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { users, type StaffRole } from "#db/schema";
import { systemActor, recordAudit } from "~/lib/audit.server";
import { hashPassword } from "./passwords.server";

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
