import { timestamp } from "drizzle-orm/pg-core";

/**
 * A timestamptz that a keyset-paged list sorts by, kept to the millisecond (`timestamptz(3)`).
 * A page's cursor carries the last row's time as a JS Date, which holds milliseconds; at
 * PostgreSQL's default microseconds, rows sharing that millisecond would be skipped (newest-first
 * lists) or repeated (oldest-first) at a page boundary. PostgreSQL rounds what is stored to the
 * column's precision, so every value read back compares equal to its cursor (ADR 25).
 */
export function pagedTime(name: string) {
  return timestamp(name, { withTimezone: true, precision: 3 });
}
