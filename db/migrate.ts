import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations as migrateJobQueue } from "graphile-worker";
import type { DbHandle } from "./client";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
// Any constant shared by every instance; it keeps two starting instances from migrating at once.
const MIGRATION_LOCK_ID = 7_240_001;

/**
 * Our schema, then graphile-worker's, whose `add_job` our transactions call, then our index on its
 * job table: the liveness sweeps look jobs up by lock holder and lock age every few seconds
 * (provisioning/sweeps.ts), and graphile-worker indexes neither. It holds locked jobs only, so it
 * stays as small as the number of jobs running, however long the queue grows.
 */
export async function migrateDatabase({ db, sql, url }: DbHandle): Promise<void> {
  const lockConnection = await sql.reserve();
  try {
    await lockConnection`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(db, { migrationsFolder });
    await migrateJobQueue({ connectionString: url, logger: silentLogger });
    await sql`create index if not exists portal_jobs_locked_by on graphile_worker._private_jobs (locked_by, locked_at)
      where locked_by is not null`;
  } finally {
    await lockConnection`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    lockConnection.release();
  }
}

const silentLogger = new Logger(() => () => {});
