import { sql } from "drizzle-orm";
import type { Database } from "#db/client";

export type Health = { status: "ok" | "error"; db: "ok" | "down" };

/** Each dependency answers within the timeout or counts as down. */
export async function checkHealth(db: Database, timeoutMs = 2_000): Promise<Health> {
  const dbOk = await withTimeout(db.execute(sql`select 1`), timeoutMs).then(
    () => true,
    () => false,
  );
  return { status: dbOk ? "ok" : "error", db: dbOk ? "ok" : "down" };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
