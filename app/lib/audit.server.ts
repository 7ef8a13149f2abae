import type { DbOrTx } from "#db/client";
import { auditEvents, type ActorType } from "#db/schema";

export type Actor = { type: ActorType; id: string | null };

export const systemActor = { type: "system", id: null } as const satisfies Actor;

/** Records a change and who made it; call it in the change's own transaction. */
export async function recordAudit(
  tx: DbOrTx,
  actor: Actor,
  action: string,
  subject: { type: string; id: string },
  details: Record<string, unknown> = {},
  organisationId: string | null = null,
): Promise<void> {
  await tx.insert(auditEvents).values({
    actorType: actor.type,
    actorId: actor.id,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    organisationId,
    details,
  });
}
