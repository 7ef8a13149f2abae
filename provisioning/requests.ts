import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { addJob } from "../db/jobs";
import {
  auditEvents,
  provisioningEvents,
  provisioningRequests,
  serviceInstances,
  type ProvisioningActorType,
} from "../db/schema";
import { assertTransition } from "./state-machine";
import type { Operation, RequestStatus, Snapshot } from "./types";

export const RUN_TASK = "provisioning_run";
const AUTOMATIC_SLA_MS = 60 * 60 * 1000;
const MANUAL_SLA_MS = 24 * 60 * 60 * 1000;
const AUTOMATIC_MAX_ATTEMPTS = 5;

export type ProvisioningActor = { type: ProvisioningActorType; id: string | null };

export type EnqueueInput = {
  accountId: string;
  operation: Operation;
  snapshot: Snapshot;
  provisioner: string;
  config: Record<string, unknown>;
  /** The instance to change; a `provision` without one creates it. */
  instanceId?: string;
  /** The same key twice finds the first request instead of making another. */
  idempotencyKey: string;
  actor: ProvisioningActor;
};

export type Enqueued = { requestId: string; instanceId: string; created: boolean };

/** Requests of one account run one at a time, in order: one graphile-worker queue per account. */
export function accountQueue(accountId: string): string {
  return `provisioning:${accountId}`;
}

/**
 * Records a provisioning request and adds its job, in the caller's transaction: the request
 * exists exactly when the order, payment or trial that caused it commits.
 */
export async function enqueueProvisioning(tx: DbOrTx, input: EnqueueInput): Promise<Enqueued> {
  const [existing] = await tx
    .select({ id: provisioningRequests.id, instanceId: provisioningRequests.instanceId })
    .from(provisioningRequests)
    .where(eq(provisioningRequests.idempotencyKey, input.idempotencyKey));
  if (existing) return { requestId: existing.id, instanceId: existing.instanceId, created: false };

  const instanceId =
    input.instanceId ??
    (
      await tx
        .insert(serviceInstances)
        .values({
          accountId: input.accountId,
          productSlug: input.snapshot.productSlug,
          planSlug: input.snapshot.planSlug,
          snapshot: input.snapshot,
        })
        .returning({ id: serviceInstances.id })
    )[0]!.id;
  const manual = input.provisioner === "manual";
  const [request] = await tx
    .insert(provisioningRequests)
    .values({
      accountId: input.accountId,
      instanceId,
      operation: input.operation,
      status: "queued",
      provisioner: input.provisioner,
      config: input.config,
      snapshot: input.snapshot,
      maxAttempts: manual ? 1 : AUTOMATIC_MAX_ATTEMPTS,
      slaDueAt: new Date(Date.now() + (manual ? MANUAL_SLA_MS : AUTOMATIC_SLA_MS)),
      idempotencyKey: input.idempotencyKey,
    })
    // Two concurrent callers with one key: the loser finds the winner's request below.
    .onConflictDoNothing({ target: provisioningRequests.idempotencyKey })
    .returning({ id: provisioningRequests.id });
  if (!request) return enqueueProvisioning(tx, input);
  await recordEvent(tx, request.id, input.actor, null, "queued", `${input.operation} requested`);
  await scheduleRun(tx, request.id, input.accountId);
  return { requestId: request.id, instanceId, created: true };
}

export async function scheduleRun(tx: DbOrTx, requestId: string, accountId: string, runAt?: Date): Promise<void> {
  await addJob(
    tx,
    RUN_TASK,
    { requestId },
    { queueName: accountQueue(accountId), runAt, jobKey: `provisioning:${requestId}`, maxAttempts: 3 },
  );
}

export async function recordEvent(
  tx: DbOrTx,
  requestId: string,
  actor: ProvisioningActor,
  from: RequestStatus | null,
  to: RequestStatus,
  message: string,
): Promise<void> {
  await tx
    .insert(provisioningEvents)
    .values({ requestId, actorType: actor.type, actorId: actor.id, fromStatus: from, toStatus: to, message });
}

export type RequestRow = typeof provisioningRequests.$inferSelect;

/** The request, locked for this transaction, so two workers or staff members cannot both act on it. */
export async function lockRequest(tx: DbOrTx, requestId: string): Promise<RequestRow | null> {
  const [row] = await tx
    .select()
    .from(provisioningRequests)
    .where(eq(provisioningRequests.id, requestId))
    .for("update");
  return row ?? null;
}

type Patch = Partial<
  Pick<
    RequestRow,
    "attempts" | "result" | "lastError" | "waitingReason" | "claimedBy" | "claimedAt" | "completedAt" | "callbackDueAt"
  >
>;

/**
 * Moves a locked request to a new status, checked by the state machine, and records the event. A
 * request leaving `running` no longer waits for a control plane's callback, so its deadline is cleared.
 */
export async function transition(
  tx: DbOrTx,
  request: RequestRow,
  to: RequestStatus,
  actor: ProvisioningActor,
  message: string,
  patch: Patch = {},
): Promise<RequestRow> {
  assertTransition(request.status, to);
  const [updated] = await tx
    .update(provisioningRequests)
    .set({ ...(to === "running" ? {} : { callbackDueAt: null }), ...patch, status: to, updatedAt: sql`now()` })
    .where(and(eq(provisioningRequests.id, request.id), eq(provisioningRequests.status, request.status)))
    .returning();
  if (!updated) throw new Error(`Request ${request.id} changed under its lock`);
  await recordEvent(tx, request.id, actor, request.status, to, message);
  return updated;
}

/** Changes a locked request without changing its status (a claim, say), and records why. */
export async function annotate(
  tx: DbOrTx,
  request: RequestRow,
  actor: ProvisioningActor,
  message: string,
  patch: Patch,
): Promise<void> {
  await tx
    .update(provisioningRequests)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(provisioningRequests.id, request.id));
  await recordEvent(tx, request.id, actor, request.status, request.status, message);
}

/**
 * Records a staff member's action on a request in `audit_events` (who, what, when), in the action's
 * transaction. `action` is e.g. "retried"; it is stored as `provisioning_request.<action>`.
 */
export async function auditStaffAction(
  tx: DbOrTx,
  staffId: string,
  action: string,
  request: RequestRow,
  details: Record<string, unknown> = {},
): Promise<void> {
  await tx.insert(auditEvents).values({
    actorType: "staff",
    actorId: staffId,
    action: `provisioning_request.${action}`,
    subjectType: "provisioning_request",
    subjectId: request.id,
    organisationId: request.accountId,
    details: { fromStatus: request.status, ...details },
  });
}
