/**
 * graphile-worker's own connections: fetching and completing jobs need not wait for the disk.
 * A completion lost in a crash only means the job runs again, and every task is idempotent.
 */
export function workerConnectionString(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("options", "-c synchronous_commit=off");
  return url.toString();
}
