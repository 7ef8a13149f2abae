import { eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/client";
import { provisioningRequests } from "../db/schema";
import { retryDelayMs } from "./backoff";
import { callbackDeadlineMs } from "./callback-deadline";
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
  /**
   * Issues a fresh ingest key for the instance (revoking the one in force) in the given transaction
   * and answers it in clear; the portal passes its `issueIngestKey` (app/modules/usage, ADR 21),
   * which this layer cannot import (ADR 10). Without it, provisioners get no key.
   */
  issueIngestKey?: (tx: DbOrTx, instanceId: string) => Promise<string>;
  signal?: AbortSignal;
};

/**
 * One attempt at a request, as its job runs it. Jobs are delivered at least once: a request that
 * is already past this point is left alone, and one left `running` by a dead worker runs again
 * (provisioners are idempotent by the request's key).
 */
export async function runProvisioningRequest(db: Database, requestId: string, options: RunnerOptions): Promise<void> {
  const started = await startAttempt(db, requestId);
  if (!started) return;

  const provisioner = options.registry.get(started.provisioner);
  const job =
    started.operation === "provision" && provisioner?.mode === "automatic" && options.issueIngestKey
      ? { ...started, ingestKey: await issueKeyForAttempt(db, started.instance!.instanceId!, options.issueIngestKey) }
      : started;
  const outcome: Outcome = provisioner
    ? await executeSafely(() =>
        provisioner.execute(job, {
          callbackUrl: options.callbackUrl(job.id),
          signal: options.signal ?? new AbortController().signal,
        }),
      )
    : { kind: "escalate", reason: `No provisioner called "${job.provisioner}" is installed` };

  const actor: ProvisioningActor = { type: "provisioner", id: job.provisioner };
  if (outcome.kind === "done") {
    await finishRequest(db, requestId, "running", outcome.result, actor, "set up", options);
    return;
  }
  await db.transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    // Staff may have cancelled or completed it meanwhile; their decision stands.
    if (!request || request.status !== "running") return;
    await applyOutcome(tx, request, outcome, actor, options);
  });
}

type StartedRow = {
  id: string;
  account_id: string;
  account_name: string;
  operation: Operation;
  snapshot: ProvisioningJob["snapshot"];
  config: Record<string, unknown>;
  access: ProvisioningResult | null;
  instance_id: string;
  idempotency_key: string;
  attempts: number;
  provisioner: string;
};

/**
 * Marks the request running and reads what its provisioner needs, in one statement (the hot
 * path of every job). Takes a queued request, or a running one whose worker died (its lease
 * ran out); anything else was already handled by another delivery of the job.
 */
async function startAttempt(
  db: DbOrTx,
  requestId: string,
): Promise<(ProvisioningJob & { provisioner: string }) | null> {
  const rows = await db.execute<StartedRow>(sql`
    with current as (
      select id, status from provisioning_requests where id = ${requestId} for update
    ), started as (
      update provisioning_requests r set status = 'running', attempts = r.attempts + 1, callback_due_at = null, updated_at = now()
      from current
      where r.id = current.id
        and (current.status = 'queued' or (current.status = 'running' and r.updated_at < now() - make_interval(secs => ${RUNNING_LEASE_MS / 1000})))
      returning r.*, current.status as from_status
    ), event as (
      insert into provisioning_events (request_id, actor_type, from_status, to_status, message)
      select id, 'system', from_status, 'running',
        case from_status when 'running' then 'started again after an interrupted attempt' else 'started' end
      from started
    )
    select s.id, s.account_id, o.name as account_name, s.operation, s.snapshot, s.config, i.access, s.instance_id,
      s.idempotency_key, s.attempts, s.provisioner
    from started s
    join organisations o on o.id = s.account_id
    join service_instances i on i.id = s.instance_id`);
  const row = [...rows][0];
  if (!row) return null;
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    operation: row.operation,
    snapshot: row.snapshot,
    config: row.config,
    instance: { ...(row.access ?? {}), instanceId: row.instance_id },
    idempotencyKey: row.idempotency_key,
    attempt: row.attempts,
    ingestKey: null,
    provisioner: row.provisioner,
  };
}

/**
 * A fresh key for this attempt, with the instance row locked so that a staff or customer rotation
 * running at the same moment waits instead of racing for the one active key.
 */
async function issueKeyForAttempt(
  db: Database,
  instanceId: string,
  issue: NonNullable<RunnerOptions["issueIngestKey"]>,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from service_instances where id = ${instanceId} for update`);
    return issue(tx, instanceId);
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

/** Turns what the provisioner said into the request's next status. */
export async function applyOutcome(
  tx: DbOrTx,
  request: RequestRow,
  outcome: Outcome,
  actor: ProvisioningActor,
  options: Pick<RunnerOptions, "onSucceeded">,
): Promise<void> {
  switch (outcome.kind) {
    case "done":
      await finishRequest(tx, request.id, "running", outcome.result, actor, "set up", options);
      return;
    case "accepted": {
      const deadlineMs = callbackDeadlineMs(request.config);
      await transition(
        tx,
        request,
        "running",
        actor,
        `accepted: ${outcome.message}; its report is due within ${deadlineMs / 60_000} minutes`,
        { callbackDueAt: new Date(Date.now() + deadlineMs) },
      );
      return;
    }
    case "retry":
      if (request.attempts < request.maxAttempts) {
        const delay = outcome.afterMs ?? retryDelayMs(request.attempts);
        await transition(
          tx,
          request,
          "queued",
          actor,
          `attempt ${request.attempts} failed: ${outcome.error}; retrying in ${Math.round(delay / 1000)} s`,
          {
            lastError: outcome.error,
          },
        );
        await scheduleRun(tx, request.id, request.accountId, new Date(Date.now() + delay));
      } else {
        await transition(
          tx,
          request,
          "waiting_staff",
          systemActor,
          `gave up after ${request.attempts} attempts: ${outcome.error}`,
          {
            lastError: outcome.error,
            waitingReason: `Automatic setup failed ${request.attempts} times. Last error: ${outcome.error}`,
          },
        );
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

/**
 * Succeeds a request and brings its instance in line, in one statement: the request must still be
 * in `from` (a staff member's cancel or a second delivery wins otherwise). Returns whether it did.
 */
export async function finishRequest(
  db: DbOrTx,
  requestId: string,
  from: "running" | "waiting_staff",
  result: ProvisioningResult,
  actor: ProvisioningActor,
  message: string,
  options: Pick<RunnerOptions, "onSucceeded">,
): Promise<boolean> {
  const finish = async (tx: DbOrTx) => {
    const rows = await tx.execute<{ id: string }>(sql`
      with done as (
        update provisioning_requests set status = 'succeeded', result = ${JSON.stringify(result)}::jsonb, completed_at = now(),
          waiting_reason = null, callback_due_at = null, updated_at = now()
        where id = ${requestId} and status = ${from}
        returning *
      ), event as (
        insert into provisioning_events (request_id, actor_type, actor_id, from_status, to_status, message)
        select id, ${actor.type}, ${actor.id}, ${from}, 'succeeded', ${message} from done
      ), instance as (
        update service_instances i set
          status = case done.operation when 'suspend' then 'suspended' when 'deprovision' then 'deprovisioned' else 'active' end,
          snapshot = done.snapshot, plan_slug = done.snapshot->>'planSlug',
          access = case when done.result = '{}'::jsonb then i.access else done.result end, updated_at = now()
        from done where i.id = done.instance_id
      )
      select id from done`);
    return [...rows].length > 0;
  };
  const { onSucceeded } = options;
  if (!onSucceeded) return finish(db);
  return db.transaction(async (tx) => {
    if (!(await finish(tx))) return false;
    const [completed] = await tx.select().from(provisioningRequests).where(eq(provisioningRequests.id, requestId));
    await onSucceeded(tx, completed!);
    return true;
  });
}

export type CallbackOutcome = "applied" | "ignored";

/**
 * A control plane's signed report on a request it accepted. Only a request still waiting for it
 * (running) takes it; a late, repeated or replayed report changes nothing: a request staff cancelled,
 * or one retried and now queued, failed or waiting for staff, keeps its state. A report reaching a
 * retried request that is running again applies: the control plane is idempotent by the request's key,
 * so it reports on the same work.
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
    const result: Outcome =
      report.status === "succeeded"
        ? { kind: "done", result: report.result ?? {} }
        : { kind: "fail", reason: report.error ?? "the control plane reported a failure" };
    await applyOutcome(tx, request, result, actor, options);
    return "applied";
  });
}
