import type { Operation, RequestStatus } from "../../provisioning/types";
import { wordsFromKey } from "./catalog/labels";

export const statusLabels: Record<RequestStatus, string> = {
  queued: "Queued",
  running: "In progress",
  waiting_staff: "Waiting for staff",
  waiting_customer: "Waiting for you",
  succeeded: "Ready",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const operationLabels: Record<Operation, string> = {
  provision: "Set up",
  modify: "Change",
  suspend: "Suspend",
  resume: "Resume",
  deprovision: "Remove",
};

export const statusStyles: Record<RequestStatus, string> = {
  queued: "bg-slate-100 text-slate-800",
  running: "bg-blue-100 text-blue-900",
  waiting_staff: "bg-amber-100 text-amber-900",
  waiting_customer: "bg-amber-100 text-amber-900",
  succeeded: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-100 text-slate-700",
};

/**
 * How a customer reads one request in their service history: what happened to which plan, and a
 * badge. A finished suspend reads "Paused", not "Suspend … Ready"; unfinished ones keep the status.
 */
export function customerEvent(
  operation: Operation,
  status: RequestStatus,
  planName: string,
): { text: string; badge: string; badgeStyle: string } {
  const done = status === "succeeded";
  const finished: Record<Operation, [string, string, string]> = {
    provision: [`Set up: ${planName}`, "Ready", statusStyles.succeeded],
    modify: [`Change: ${planName}`, "Ready", statusStyles.succeeded],
    suspend: [`Paused: ${planName}`, "Paused", "bg-amber-100 text-amber-900"],
    resume: [`Running again: ${planName}`, "Running", statusStyles.succeeded],
    deprovision: [`Removed: ${planName}`, "Removed", statusStyles.cancelled],
  };
  const inProgress: Record<Operation, string> = {
    provision: `Set up: ${planName}`,
    modify: `Change: ${planName}`,
    suspend: `Pausing: ${planName}`,
    resume: `Starting again: ${planName}`,
    deprovision: `Removing: ${planName}`,
  };
  const [doneText, doneBadge, doneStyle] = finished[operation];
  return done
    ? { text: doneText, badge: doneBadge, badgeStyle: doneStyle }
    : { text: inProgress[operation], badge: statusLabels[status], badgeStyle: statusStyles[status] };
}

/**
 * Labels of the access details provisioners report. The demo provisioner's keys and the fields
 * the seed's manual plans ask staff for; a plan's own `resultFields` labels win (see
 * `resultFieldLabel`).
 */
const knownResultLabels: Record<string, string> = {
  workspace_url: "Workspace URL",
  admin_email: "Administrator sign-in email",
  region: "Data region",
  plan: "Plan",
  seats: "Users",
};

/**
 * The label of one access detail (a provisioning result's key): the plan's configured label
 * (`provisioningConfig.resultFields`, passed as `configured`), else the known one, else the key in
 * words. Customer pages, staff pages and the setup-complete email all read it from here.
 */
export function resultFieldLabel(key: string, configured: readonly { key: string; label: string }[] = []): string {
  return configured.find((field) => field.key === key)?.label ?? knownResultLabels[key] ?? wordsFromKey(key);
}
