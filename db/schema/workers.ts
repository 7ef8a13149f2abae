import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Job workers that are alive: each graphile-worker pool (its id is what it writes into `locked_by`)
 * renews its row every few seconds on a connection of its own. A row silent for longer than the
 * sweep's threshold belongs to a dead worker: the sweep deletes it and frees that worker's jobs (ADR 6).
 */
export const workerHeartbeats = pgTable("worker_heartbeats", {
  workerId: text("worker_id").primaryKey(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  beatAt: timestamp("beat_at", { withTimezone: true }).notNull().defaultNow(),
});
