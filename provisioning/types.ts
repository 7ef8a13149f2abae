/** The provisioning side's vocabulary. Nothing here imports the portal app (see DESIGN.md). */

export type Operation = "provision" | "modify" | "suspend" | "resume" | "deprovision";
export type RequestStatus =
  "queued" | "running" | "waiting_staff" | "waiting_customer" | "succeeded" | "failed" | "cancelled";

/** What was bought, frozen when the request was made: later catalog changes do not alter it. */
export type Snapshot = {
  productSlug: string;
  planSlug: string;
  planName: string;
  seats: number;
  /** Limit features: a number, or null for unlimited. */
  limits: Record<string, number | null>;
  /** Flag features the plan includes. */
  features: string[];
  /** Trial requests say so: the instance is the same one a purchase later modifies. */
  trialEndsAt: string | null;
};

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
};

/** Access details a customer may see: URLs, login names. Never passwords or keys in clear. */
export type ProvisioningResult = Record<string, string>;

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
