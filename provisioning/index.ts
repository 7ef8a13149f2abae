/**
 * The provisioning side's public entry: ordering, billing and trials call only this module.
 * Requests are created inside the caller's transaction; a worker runs them.
 */
export { enqueueProvisioning, RUN_TASK, type EnqueueInput, type Enqueued, type ProvisioningActor } from "./requests";
export { applyCallback, runProvisioningRequest, type RunnerOptions } from "./runner";
export { createHttpProvisioner, readCallback, SIGNATURE_HEADER } from "./provisioners/http";
export { ProvisionerRegistry } from "./registry";
export {
  claimRequest,
  completeManually,
  retryRequest,
  failRequest,
  cancelRequest,
  type StaffActionResult,
} from "./staff-actions";
export { listQueue, queueFiltersSchema, requestDetail, accountRequests, type QueueFilters } from "./queries";
export { resultFields, manualProvisioner, type ResultField } from "./provisioners/manual";
export { createDemoProvisioner } from "./provisioners/demo";
export type { Operation, RequestStatus, Snapshot, Provisioner, Outcome } from "./types";
export { outcome } from "./types";
export { provisioningTasks, CALLBACK_SWEEP_TASK } from "./tasks";
export {
  markOverdueRequests,
  releaseStrayJobs,
  releaseWorkerJobs,
  sweepOverdueCallbacks,
  unlockAbandonedJobs,
  WORKER_SILENCE_MS,
} from "./sweeps";
export { callbackDeadlineMs, DEFAULT_CALLBACK_DEADLINE_MINUTES } from "./callback-deadline";
