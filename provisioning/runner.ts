import { eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { organisations, serviceInstances } from "../db/schema";
import { retryDelayMs } from "./backoff";
import type { ProvisionerRegistry } from "./registry";
import { lockRequest, scheduleRun, transition, type ProvisioningActor, type RequestRow } from "./requests";
import type { Operation, Outcome, ProvisioningJob, ProvisioningResult } from "./types";

const systemActor: ProvisioningActor = { type: "system", id: null };
/** A `running` request untouched this long lost its worker; a younger one is still being worked on. */
export const RUNNING_LEASE_MS = 5 * 60_000;

export type RunnerOptions = {
  registry: ProvisionerRegistry;
  callbackUrl: (requestId: string) => string;
  /** Called in the transaction that completes a request, e.g. to email the customer. */
  onSucceeded?: (tx: DbOrTx, request: RequestRow) => Promise<void>;
  signal?: AbortSignal;
};

const instanceStatusAfter: Record<Operation, "active" | "suspended" | "deprovisioned"> = {
  provision: "active",
  modify: "active",
  resume: "active",
  suspend: "suspended",
  deprovision: "deprovisioned",
};

/**
 * One attempt at a request, as its job runs it. Jobs are delivered at least once: a request that
 * is already past this point is left alone, and one left `running` by a dead worker runs again
 * (provisioners are idempotent by the request's key).
 */
export async function runProvisioningRequest(db: Database, requestId: string, options: RunnerOptions): Promise<void> {
  const started = await db.transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    if (!request || (request.status !== "queued" && request.status !== "running")) return null;
    if (request.status === "running" && Date.now() - request.updatedAt.getTime() < RUNNING_LEASE_MS) return null;
    const message = request.status === "running" ? "started again after an interrupted attempt" : "started";
    return transition(tx, request, "running", systemActor, message, { attempts: request.attempts + 1 });
  });
  if (!started) return;

  const provisioner = options.registry.get(started.provisioner);
  const outcome: Outcome = provisioner
    ? await executeSafely(() => loadJob(db, started).then((job) => provisioner.execute(job, { callbackUrl: options.callbackUrl(started.id), signal: options.signal ?? new AbortController().signal })))
    : { kind: "escalate", reason: `No provisioner called "${started.provisioner}" is installed` };

  await db.transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    // Staff may have cancelled or completed it meanwhile; their decision stands.
    if (!request || request.status !== "running") return;
    await applyOutcome(tx, request, outcome, { type: "provisioner", id: request.provisioner }, options);
  });
}

async function executeSafely(execute: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await execute();
  } catch (error) {
    // A provisioner that throws met the unexpected: treat it as worth another try.
    return { kind: "retry", error: error instanceof Error ? error.message : String(error) };
  }
}

/** The request as its provisioner sees it: with the account's name and the instance's current access. */
async function loadJob(db: DbOrTx, request: RequestRow): Promise<ProvisioningJob> {
  const [row] = await db
    .select({ accountName: organisations.name, access: serviceInstances.access })
    .from(serviceInstances)
    .innerJoin(organisations, eq(organisations.id, serviceInstances.accountId))
    .where(eq(serviceInstances.id, request.instanceId));
  return {
    id: request.id,
    accountId: request.accountId,
    accountName: row?.accountName ?? "",
    operation: request.operation,
    snapshot: request.snapshot,
    config: request.config,
    instance: row?.access ? { ...row.access, instanceId: request.instanceId } : { instanceId: request.instanceId },
    idempotencyKey: request.idempotencyKey,
    attempt: request.attempts,
  };
}

/** Turns what the provisioner said into the request's next status. */
export async function applyOutcome(tx: DbOrTx, request: RequestRow, outcome: Outcome, actor: ProvisioningActor, options: Pick<RunnerOptions, "onSucceeded">): Promise<void> {
  switch (outcome.kind) {
    case "done":
      await completeRequest(tx, request, outcome.result, actor, "set up", options);
      return;
    case "accepted":
      await transition(tx, request, "running", actor, `accepted: ${outcome.message}`);
      return;
    case "retry":
      if (request.attempts < request.maxAttempts) {
        const delay = outcome.afterMs ?? retryDelayMs(request.attempts);
        await transition(tx, request, "queued", actor, `attempt ${request.attempts} failed: ${outcome.error}; retrying in ${Math.round(delay / 1000)} s`, {
          lastError: outcome.error,
        });
        await scheduleRun(tx, request.id, request.accountId, new Date(Date.now() + delay));
      } else {
        await transition(tx, request, "waiting_staff", systemActor, `gave up after ${request.attempts} attempts: ${outcome.error}`, {
          lastError: outcome.error,
          waitingReason: `Automatic setup failed ${request.attempts} times. Last error: ${outcome.error}`,
        });
      }
      return;
    case "escalate":
      await transition(tx, request, "waiting_staff", actor, outcome.reason, { waitingReason: outcome.reason });
      return;
    case "needs_customer":
      await transition(tx, request, "waiting_customer", actor, outcome.reason, { waitingReason: outcome.reason });
      return;
    case "fail":
      await transition(tx, request, "failed", actor, outcome.reason, { lastError: outcome.reason });
      return;
  }
}

/** Succeeds a request and brings its instance in line, in one transaction. */
export async function completeRequest(
  tx: DbOrTx,
  request: RequestRow,
  result: ProvisioningResult,
  actor: ProvisioningActor,
  message: string,
  options: Pick<RunnerOptions, "onSucceeded">,
): Promise<RequestRow> {
  const completed = await transition(tx, request, "succeeded", actor, message, { result, completedAt: new Date(), waitingReason: null });
  await tx
    .update(serviceInstances)
    .set({
      status: instanceStatusAfter[request.operation],
      snapshot: request.snapshot,
      planSlug: request.snapshot.planSlug,
      ...(Object.keys(result).length ? { access: result } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(serviceInstances.id, request.instanceId));
  await options.onSucceeded?.(tx, completed);
  return completed;
}

export type CallbackOutcome = "applied" | "ignored";

/**
 * A control plane's signed report on a request it accepted. Only a request still waiting for it
 * (running) takes it; a late, repeated or replayed report changes nothing.
 */
export async function applyCallback(
  db: Database,
  report: { requestId: string; status: "succeeded" | "failed"; result?: ProvisioningResult; error?: string },
  options: Pick<RunnerOptions, "onSucceeded">,
): Promise<CallbackOutcome> {
  return db.transaction(async (tx) => {
    const request = await lockRequest(tx, report.requestId);
    if (!request || request.status !== "running") return "ignored";
    const actor: ProvisioningActor = { type: "provisioner", id: request.provisioner };
    const result: Outcome = report.status === "succeeded" ? { kind: "done", result: report.result ?? {} } : { kind: "fail", reason: report.error ?? "the control plane reported a failure" };
    await applyOutcome(tx, request, result, actor, options);
    return "applied";
  });
}
