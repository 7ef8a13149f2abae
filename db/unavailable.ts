/**
 * Whether an error means "the database cannot be reached right now" (stopped, restarting, the
 * connection cut), as opposed to a bug or a refused statement. Such errors make an outage, not a
 * crash: callers answer 503 and try again later.
 */

/** Node's socket errors when nothing listens or the connection breaks. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTCONN"]);

/** postgres.js's own codes for a connection it lost or could not open. */
const DRIVER_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

/**
 * PostgreSQL's SQLSTATEs for a server going away or not ready: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting or stopping).
 */
const SQLSTATE = /^(08...|57P0[123])$/;

/** node-postgres's (graphile-worker's driver) messages for a connection that ended under it. */
const DRIVER_MESSAGES =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/;

/**
 * True when `error`, or an error it wraps (`cause`, an AggregateError's `errors`), says the
 * database is unreachable. Any value is accepted; non-errors are never "unavailable".
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (SOCKET_CODES.has(code) || DRIVER_CODES.has(code) || SQLSTATE.test(code))) {
    return true;
  }
  if (DRIVER_MESSAGES.test(error.message)) return true;
  const wrapped = [error.cause, ...(error instanceof AggregateError ? error.errors : [])];
  return wrapped.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

/**
 * postgres.js 3.4 can throw from a timer when a connection's socket is already gone ("Cannot read
 * properties of null (reading 'write')" in connection.js), and graphile-worker's failed-job code
 * can reject on its dead runner's ended pool or fail to hand back a released local queue's jobs:
 * faults of libraries while they lose the database, not of ours. True for those three.
 */
export function isDriverConnectionFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError && /[\\/]postgres[\\/]src[\\/]connection\.js:/.test(error.stack ?? "")) return true;
  // graphile-worker 0.17 ends a dead runner's pool while its failed-job batch still retries on it.
  if (
    error.message === "Cannot use a pool after calling end on the pool" &&
    /graphile-worker/.test(error.stack ?? "")
  ) {
    return true;
  }
  // When a runner's pool is released because it lost the database, its local queue's jobs cannot go
  // back either, and graphile-worker 0.17 rethrows that unhandled, with the cause as text only. The
  // jobs stay locked by the dead pool, which the worker frees once the database answers (ADR 6).
  const returning = RETURN_JOBS_FAILED.exec(error.message);
  return returning !== null && readsUnavailable(returning[1]!);
}

/** graphile-worker's message for a released local queue whose jobs could not be returned. */
const RETURN_JOBS_FAILED = /^Error occurred whilst returning jobs from local queue to database queue: (.*)$/s;
/**
 * The same errors as `isDatabaseUnavailable` recognises, read as text: a code of ours anywhere as a
 * word, node-postgres's messages, or PostgreSQL's own words for 57P01-57P03.
 */
function readsUnavailable(text: string): boolean {
  const codes = text.match(/\b[A-Z_]{5,}\b/g) ?? [];
  return (
    codes.some((code) => SOCKET_CODES.has(code) || DRIVER_CODES.has(code)) ||
    DRIVER_MESSAGES.test(text) ||
    /terminating connection|the database system is (shutting down|starting up|in recovery)/.test(text)
  );
}
