import { randomUUID } from "node:crypto";
import type { DbOrTx } from "../../db/client";
import { users } from "../../db/schema";

/** A person with a confirmed address and a unique email (`<name>-<uuid>@people.test`), staff when `staffRole` is set. */
export async function insertPerson(db: DbOrTx, name: string, staffRole: "staff" | "admin" | null = null) {
  const [user] = await db
    .insert(users)
    .values({
      email: `${name.toLowerCase()}-${randomUUID()}@people.test`,
      name,
      passwordHash: "x",
      emailVerifiedAt: new Date(),
      staffRole,
    })
    .returning();
  return user!;
}
