import type { Database } from "../db/client";
import { resultFields } from "./provisioners/manual";
import {
  annotate,
  auditStaffAction,
  lockRequest,
  scheduleRun,
  transition,
  type ProvisioningActor,
  type RequestRow,
} from "./requests";
import { finishRequest, type RunnerOptions } from "./runner";

export type StaffActionResult = { ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string> };

const refuse = (message: string): StaffActionResult => ({ ok: false, message });

/** Not finished: staff may still retry or cancel it, whatever it is waiting for (ADR 6). */
const unfinished: readonly RequestRow["status"][] = [
  "queued",
  "running",
  "waiting_staff",
  "waiting_customer",
  "failed",
];

/** Runs an action on a locked request; a missing request is refused rather than thrown. */
async function withRequest(
  db: Database,
  requestId: string,
  action: (
    tx: Parameters<Parameters<Database["transaction"]>[0]>[0],
    request: RequestRow,
  ) => Promise<StaffActionResult>,
): Promise<StaffActionResult> {
  return db.transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    return request ? action(tx, request) : refuse("This request does not exist.");
  });
}

/** A staff member takes a request waiting for staff, so no one else works on it at the same time. */
export function claimRequest(
  db: Database,
  requestId: string,
  staff: { id: string; name: string },
): Promise<StaffActionResult> {
  return withRequest(db, requestId, async (tx, request) => {
    if (request.status !== "waiting_staff" && request.status !== "failed")
      return refuse("Only requests waiting for staff or failed can be claimed.");
    if (request.claimedBy && request.claimedBy !== staff.id)
      return refuse("Another staff member has claimed this request.");
    await annotate(tx, request, { type: "staff", id: staff.id }, `claimed by ${staff.name}`, {
      claimedBy: staff.id,
      claimedAt: new Date(),
    });
    await auditStaffAction(tx, staff.id, "claimed", request);
    return { ok: true };
  });
}

/** Completes a claimed manual setup with the result fields the plan defines, all of them valid. */
export function completeManually(
  db: Database,
  requestId: string,
  staff: { id: string; name: string },
  values: Record<string, string>,
  options: Pick<RunnerOptions, "onSucceeded"> = {},
): Promise<StaffActionResult> {
  return withRequest(db, requestId, async (tx, request) => {
    if (request.status !== "waiting_staff") return refuse("Only a request waiting for staff can be completed.");
    if (request.claimedBy !== staff.id) return refuse("Claim the request before completing it.");
    const fieldErrors: Record<string, string> = {};
    const result: Record<string, string> = {};
    for (const field of resultFields(request.config)) {
      const value = (values[field.key] ?? "").trim();
      const error = checkField(field.type, value);
      if (error) fieldErrors[field.key] = error;
      else result[field.key] = value;
    }
    if (Object.keys(fieldErrors).length) return { ok: false, message: "Correct the highlighted fields.", fieldErrors };
    await finishRequest(
      tx,
      request.id,
      "waiting_staff",
      result,
      { type: "staff", id: staff.id },
      `completed by ${staff.name}`,
      options,
    );
    await auditStaffAction(tx, staff.id, "completed", request);
    return { ok: true };
  });
}

function checkField(type: "text" | "url" | "email", value: string): string | null {
  if (!value) return "Fill this in";
  if (value.length > 500) return "Use at most 500 characters";
  if (type === "url" && !/^https?:\/\/[^\s]+$/.test(value)) return "Enter a full web address starting with https://";
  if (type === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return "Enter an email address";
  return null;
}

/**
 * Sends any unfinished request back to its provisioner now, with a fresh set of attempts: a failed
 * one, one waiting for someone, one queued for a later attempt, or one running (a control plane that
 * accepted it and never called back, say). Audited. A callback for the earlier attempt arriving later
 * changes nothing unless the request is running again (see `applyCallback`).
 */
export function retryRequest(
  db: Database,
  requestId: string,
  staff: { id: string; name: string },
): Promise<StaffActionResult> {
  return withRequest(db, requestId, async (tx, request) => {
    if (!unfinished.includes(request.status))
      return refuse(
        `This request has ${request.status === "succeeded" ? "succeeded" : "been cancelled"}; there is nothing to retry.`,
      );
    const actor: ProvisioningActor = { type: "staff", id: staff.id };
    await transition(tx, request, "queued", actor, `retried by ${staff.name}`, {
      attempts: 0,
      claimedBy: null,
      claimedAt: null,
      waitingReason: null,
    });
    await scheduleRun(tx, request.id, request.accountId);
    await auditStaffAction(tx, staff.id, "retried", request);
    return { ok: true };
  });
}

export function failRequest(
  db: Database,
  requestId: string,
  staff: { id: string; name: string },
  reason: string,
): Promise<StaffActionResult> {
  return withRequest(db, requestId, async (tx, request) => {
    if (request.status !== "waiting_staff") return refuse("Only a request waiting for staff can be marked failed.");
    await transition(tx, request, "failed", { type: "staff", id: staff.id }, `failed by ${staff.name}: ${reason}`, {
      lastError: reason,
    });
    await auditStaffAction(tx, staff.id, "failed", request, { reason });
    return { ok: true };
  });
}

/**
 * Cancels any unfinished request, running ones included, with the reason. Audited. The job or
 * callback of an attempt under way finds the request cancelled and changes nothing.
 */
export function cancelRequest(
  db: Database,
  requestId: string,
  staff: { id: string; name: string },
  reason: string,
): Promise<StaffActionResult> {
  return withRequest(db, requestId, async (tx, request) => {
    if (!unfinished.includes(request.status))
      return refuse(
        `This request has ${request.status === "succeeded" ? "succeeded" : "been cancelled"} already; it cannot be cancelled.`,
      );
    await transition(
      tx,
      request,
      "cancelled",
      { type: "staff", id: staff.id },
      `cancelled by ${staff.name}: ${reason}`,
      { completedAt: new Date() },
    );
    await auditStaffAction(tx, staff.id, "cancelled", request, { reason });
    return { ok: true };
  });
}
