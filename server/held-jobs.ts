import type { WorkerEvents } from "graphile-worker";

/**
 * A finished job stays "held" this long, in ms: its completion or failure is still being written
 * (batched, usually within milliseconds). A write lost to an outage leaves the lock behind, so this
 * is also how long such a job waits before `releaseStrayJobs` frees it; freeing one whose write is
 * merely slow only runs it once more (every task may).
 */
const SETTLING_MS = 3_000;

export type HeldJobs = {
  /** Ids (graphile-worker's bigint ids, as text) of the jobs the pool knows it holds now. */
  ids: () => string[];
};

/**
 * Follows one graphile-worker pool's events to know which jobs it holds: fetched into its local queue
 * (`localQueue:getJobs:complete`), started (`job:start`, the only sign without a local queue), until
 * they were finished (`job:complete`, plus SETTLING_MS while the result is written) or handed back
 * (`localQueue:returnJobs`). A lock by this pool on any other job is one it lost track of
 * (`releaseStrayJobs`).
 */
export function trackHeldJobs(events: WorkerEvents): HeldJobs {
  /** Job id → when it stops counting as held (Infinity while fetched or running). */
  const held = new Map<string, number>();
  const hold = (id: string) => held.set(id, Number.POSITIVE_INFINITY);
  events.on("localQueue:getJobs:complete", ({ jobs }) => jobs.forEach((job) => hold(job.id)));
  events.on("job:start", ({ job }) => hold(job.id));
  events.on("job:complete", ({ job }) => held.set(job.id, performance.now() + SETTLING_MS));
  events.on("localQueue:returnJobs", ({ jobs }) => jobs.forEach((job) => held.delete(job.id)));
  return {
    ids: () => {
      const now = performance.now();
      for (const [id, until] of held) if (until <= now) held.delete(id);
      return [...held.keys()];
    },
  };
}
