/**
 * Rotating an instance's ingest key (issue 15, ADR 21), by staff or by the customer's owners and
 * admins, and issuing the first key of a manual setup for staff to hand over. The new key is answered
 * once, in clear; the audit trail and the owners' security notice carry its prefix only.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { demoTenants, memberships, serviceInstances, usageIngestKeys, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { queueEmail } from "~/modules/email/outbox.server";
import { ingestKeyRotatedNotice } from "~/modules/email/templates";
import { issueIngestKey } from "./ingest-keys.server";

/** What a page shows about one service's key: never the key, only its prefix and when it was issued. */
export type IngestKeyCard = {
  instanceId: string;
  accountId: string;
  planName: string;
  status: "pending" | "active" | "suspended" | "deprovisioned";
  /** The key in force, or null when none was issued yet (a manual setup, or a service set up before keys). */
  key: { prefix: string; issuedAt: Date; issuedBy: "system" | "staff" | "user" } | null;
};

const cardColumns = {
  instanceId: serviceInstances.id,
  accountId: serviceInstances.accountId,
  planName: sql<string>`${serviceInstances.snapshot}->>'planName'`,
  status: serviceInstances.status,
  prefix: usageIngestKeys.prefix,
  issuedAt: usageIngestKeys.createdAt,
  issuedBy: usageIngestKeys.createdByType,
};

type CardRow = {
  instanceId: string;
  accountId: string;
  planName: string;
  status: IngestKeyCard["status"];
  prefix: string | null;
  issuedAt: Date | null;
  issuedBy: "system" | "staff" | "user" | null;
};

function toCard(row: CardRow): IngestKeyCard {
  const { prefix, issuedAt, issuedBy, ...rest } = row;
  return { ...rest, key: prefix && issuedAt && issuedBy ? { prefix, issuedAt, issuedBy } : null };
}

/** The key cards of an account's services (not removed ones), oldest service first. Reads the active-key index. */
export async function ingestKeyCards(db: DbOrTx, accountId: string): Promise<IngestKeyCard[]> {
  const rows = await db
    .select(cardColumns)
    .from(serviceInstances)
    .leftJoin(
      usageIngestKeys,
      and(eq(usageIngestKeys.instanceId, serviceInstances.id), isNull(usageIngestKeys.revokedAt)),
    )
    .where(and(eq(serviceInstances.accountId, accountId), sql`${serviceInstances.status} <> 'deprovisioned'`))
    .orderBy(serviceInstances.createdAt, serviceInstances.id);
  return rows.map(toCard);
}

/** One service's key card, or null when no such service exists. */
export async function ingestKeyCard(db: DbOrTx, instanceId: string): Promise<IngestKeyCard | null> {
  const [row] = await db
    .select(cardColumns)
    .from(serviceInstances)
    .leftJoin(
      usageIngestKeys,
      and(eq(usageIngestKeys.instanceId, serviceInstances.id), isNull(usageIngestKeys.revokedAt)),
    )
    .where(eq(serviceInstances.id, instanceId));
  return row ? toCard(row) : null;
}

export type KeyRotator = { type: "staff" | "user"; id: string; name: string };

export type RotationResult =
  | { ok: true; key: string; prefix: string; previousPrefix: string | null }
  | { ok: false; status: 404 | 409; message: string };

/**
 * Issues a new key for the instance and revokes the one in force (it stops working at once), under
 * the instance's row lock. `first: true` is staff handing the first key of a manual setup over: it
 * refuses (409) when a key is already in force, so a second tab or a double click cannot replace the
 * key just shown. A demo tenant gets the new key too (it plays the vendor's product, configured with
 * it). Audited (`usage.ingest_key_rotated` / `usage.ingest_key_issued`, prefixes only) and, when a key
 * was replaced, the organisation's owners get a security notice (outbox, once per key). Removed
 * services have no key to rotate (409). The caller checks the permission and the rate limit.
 */
export async function rotateIngestKey(
  db: Database,
  input: { instanceId: string; accountId: string; by: KeyRotator; first?: boolean; appUrl: string },
): Promise<RotationResult> {
  return db.transaction(async (tx) => {
    const [instance] = await tx
      .select({ status: serviceInstances.status, planName: sql<string>`${serviceInstances.snapshot}->>'planName'` })
      .from(serviceInstances)
      .where(and(eq(serviceInstances.id, input.instanceId), eq(serviceInstances.accountId, input.accountId)))
      .for("update");
    if (!instance) return { ok: false, status: 404, message: "There is no such service." };
    if (instance.status === "deprovisioned")
      return { ok: false, status: 409, message: "This service was removed, so it has no key to rotate." };
    const [previous] = await tx
      .select({ prefix: usageIngestKeys.prefix })
      .from(usageIngestKeys)
      .where(and(eq(usageIngestKeys.instanceId, input.instanceId), isNull(usageIngestKeys.revokedAt)));
    if (input.first && previous)
      return {
        ok: false,
        status: 409,
        message: `A key (${previous.prefix}…) was already issued for this service. Rotate it if the product does not have it.`,
      };
    const issued = await issueIngestKey(tx, input.instanceId, { type: input.by.type, id: input.by.id });
    await tx
      .update(demoTenants)
      .set({ ingestKey: issued.key, updatedAt: sql`now()` })
      .where(eq(demoTenants.instanceId, input.instanceId));
    const previousPrefix = previous?.prefix ?? null;
    await recordAudit(
      tx,
      { type: input.by.type, id: input.by.id },
      previousPrefix ? "usage.ingest_key_rotated" : "usage.ingest_key_issued",
      { type: "service_instance", id: input.instanceId },
      { prefix: issued.prefix, previousPrefix },
      input.accountId,
    );
    if (previousPrefix) {
      const who = input.by.type === "staff" ? "our support team" : input.by.name;
      for (const owner of await owners(tx, input.accountId)) {
        const notice = ingestKeyRotatedNotice(
          owner.name,
          instance.planName,
          previousPrefix,
          who,
          `${input.appUrl}/account`,
        );
        await queueEmail(tx, { to: owner.email, ...notice }, `ingest-key-rotated:${issued.id}:${owner.email}`);
      }
    }
    return { ok: true, key: issued.key, prefix: issued.prefix, previousPrefix };
  });
}

function owners(tx: DbOrTx, organisationId: string) {
  return tx
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, "owner")));
}
