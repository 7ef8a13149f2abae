/**
 * Ingest keys (issue 15, ADR 21): one in force per service instance, stored as SHA-256, shown in
 * clear only once — to the provisioner that hands it to the product, or to the person who asked.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { usageIngestKeys } from "#db/schema";

/** Every key starts so; a key found in a log or a repository is recognisable (and scannable) as ours. */
export const INGEST_KEY_PREFIX = "pik_";
/** Characters of the key kept in clear to tell keys apart ("pik_3fQ9…"). */
const SHOWN_PREFIX_LENGTH = 10;

export type IssuedKey = { id: string; key: string; prefix: string };
export type KeyIssuer = { type: "system" | "staff" | "user"; id: string | null };

/** SHA-256 of a key, hex: what is stored and looked up (keys carry 256 random bits, so no slow hash is needed). */
export function hashIngestKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Issues a new key for the instance and revokes the one in force, in the caller's transaction (lock
 * the instance first when two callers may race: the partial unique index refuses a second active
 * key). Returns the key in clear: it cannot be read again.
 */
export async function issueIngestKey(tx: DbOrTx, instanceId: string, issuer: KeyIssuer): Promise<IssuedKey> {
  const key = `${INGEST_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  await tx
    .update(usageIngestKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(usageIngestKeys.instanceId, instanceId), isNull(usageIngestKeys.revokedAt)));
  const [row] = await tx
    .insert(usageIngestKeys)
    .values({
      instanceId,
      keyHash: hashIngestKey(key),
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      createdByType: issuer.type,
      createdBy: issuer.id,
    })
    .returning({ id: usageIngestKeys.id, prefix: usageIngestKeys.prefix });
  return { id: row!.id, key, prefix: row!.prefix };
}
