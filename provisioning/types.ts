/** The provisioning side's vocabulary. Nothing here imports the portal app (docs/architecture.md, ADR 10). */
import type { Operation, ProvisioningResult, Snapshot } from "../db/schema/provisioning";

// What requests store (operation, status, snapshot, result) is defined with the tables in db/, the bottom layer.
export type { Operation, ProvisioningResult, RequestStatus, Snapshot } from "../db/schema/provisioning";

/** The request as a provisioner sees it. */
export type ProvisioningJob = {
  id: string;
  accountId: string;
  accountName: string;
  operation: Operation;
  snapshot: Snapshot;
  /** The provisioner's settings from the plan, e.g. a control-plane URL. */
  config: Record<string, unknown>;
  /** The instance earlier requests set up, when there is one (modify, suspend, ...). */
  instance: Record<string, string> | null;
  idempotencyKey: string;
  attempt: number;
  /**
   * The instance's usage ingest key (`pik_…`), in clear, issued for this attempt of a `provision`
   * request run by an automatic provisioner (each attempt issues a fresh one and revokes the last,
   * so the key the product received last is the one that works); null otherwise. Hand it to the
   * product and nowhere else: never into a result, an outcome or a log.
   */
  ingestKey: string | null;
};

/** Each outcome is its own type, so "try again later" cannot be confused with "a person must look". */
export type Outcome =
  | { kind: "done"; result: ProvisioningResult }
  | { kind: "accepted"; message: string }
  | { kind: "retry"; error: string; afterMs?: number }
  | { kind: "escalate"; reason: string }
  | { kind: "needs_customer"; reason: string }
  | { kind: "fail"; reason: string };

export const outcome = {
  done: (result: ProvisioningResult): Outcome => ({ kind: "done", result }),
  accepted: (message: string): Outcome => ({ kind: "accepted", message }),
  retry: (error: string, afterMs?: number): Outcome => ({
    kind: "retry",
    error,
    ...(afterMs === undefined ? {} : { afterMs }),
  }),
  escalate: (reason: string): Outcome => ({ kind: "escalate", reason }),
  needsCustomer: (reason: string): Outcome => ({ kind: "needs_customer", reason }),
  fail: (reason: string): Outcome => ({ kind: "fail", reason }),
};

export type ProvisionerContext = {
  /** Where an asynchronous provisioner's control plane reports back (signed). */
  callbackUrl: string;
  signal: AbortSignal;
};

export type Provisioner = {
  key: string;
  mode: "automatic" | "manual";
  execute(job: ProvisioningJob, context: ProvisionerContext): Promise<Outcome>;
};
