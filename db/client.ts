import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Module functions take either, so callers decide which transaction a change belongs to. */
export type DbOrTx = Database | Transaction;

export type DbHandle = { db: Database; sql: Sql; url: string; close: () => Promise<void> };

type ConnectOptions = {
  max?: number;
  /**
   * Commits that do not wait for the disk. Only for work that is safe to redo: a crash loses the
   * last few commits, never consistency (WAL order is kept).
   */
  relaxedCommits?: boolean;
};

/**
 * Seconds a connection waits before trying again after a failed one, given the pool's count of
 * failures since its last good connect. postgres.js's default (3^n / 100 s, up to 20 s) counts the
 * failures of every connection in the pool, so a few seconds of outage left the pool waiting up to
 * 20 s more with the database already back (issue 12). Doubling from 50 ms to at most 1 s, with
 * jitter so connections do not retry in step; a refused connect costs the database nothing.
 */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

/** One pool per process; routes get it through the Remix load context. */
export function connectDb(url: string, options: ConnectOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 5,
    backoff: reconnectDelaySeconds,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: "portal", ...(options.relaxedCommits ? { synchronous_commit: "off" } : {}) },
  });
  return { db: drizzle(sql, { schema }), sql, url, close: () => sql.end({ timeout: 5 }) };
}
