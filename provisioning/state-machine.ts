import type { RequestStatus } from "./types";

/**
 * Where a request may go from each status. `waiting_customer` extends the statuses of docs/architecture.md: a request
 * only the customer can unblock is neither retried nor put in front of staff.
 */
const transitions: Record<RequestStatus, readonly RequestStatus[]> = {
  // queued → queued: staff retry a request waiting for its next attempt, which runs it now.
  queued: ["queued", "running", "cancelled"],
  // A running request whose worker died runs again from `running`, hence running → running. Staff may
  // cancel a running request (one whose control plane never called back, say): their decision stands.
  running: ["running", "succeeded", "queued", "waiting_staff", "waiting_customer", "failed", "cancelled"],
  waiting_staff: ["succeeded", "queued", "failed", "cancelled"],
  waiting_customer: ["queued", "cancelled"],
  failed: ["queued", "cancelled"],
  succeeded: [],
  cancelled: [],
};

export type Status = RequestStatus;
export const statuses = Object.keys(transitions) as Status[];

export function canTransition(from: Status, to: Status): boolean {
  return transitions[from].includes(to);
}

export class TransitionError extends Error {
  override name = "TransitionError";
  constructor(
    readonly from: Status,
    readonly to: Status,
  ) {
    super(`A ${from.replace("_", " ")} request cannot become ${to.replace("_", " ")}`);
  }
}

export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) throw new TransitionError(from, to);
}
