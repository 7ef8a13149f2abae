/**
 * The instants the portal's queries may compare with a timestamptz column. PostgreSQL holds
 * 4713 BC to 294276 AD, but a Date is sent as `toISOString()`, which has a plain four-digit year
 * only from 0000 to 9999, and PostgreSQL has no year 0: anything outside 0001-01-01 to
 * 9999-12-31 (UTC) fails the query instead of matching nothing.
 */
export const EARLIEST_STORABLE = new Date("0001-01-01T00:00:00.000Z");
export const LATEST_STORABLE = new Date("9999-12-31T23:59:59.999Z");

/** True for a valid Date inside the range above. */
export function isStorableTime(value: Date): boolean {
  const time = value.getTime();
  return time >= EARLIEST_STORABLE.getTime() && time <= LATEST_STORABLE.getTime();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const KEY = /^[A-Za-z0-9_.:-]{1,120}$/;

/**
 * What a cursor may hold, in order: a timestamp, a row id (UUID), a small whole number (0 to
 * 999,999) or a key (1 to 120 of letters, digits and `_.:-`: ids that are not UUIDs, compared as text).
 */
type Part = "time" | "uuid" | "int" | "key";
type Value<P extends Part> = P extends "time" ? Date : P extends "uuid" | "key" ? string : number;
type Values<Parts extends readonly Part[]> = { [K in keyof Parts]: Value<Parts[K]> };

/** The last row's sort key as an opaque URL-safe string for the next page's link (base64url of `a|b|…`). */
export function encodeCursor(values: readonly (Date | string | number)[]): string {
  return Buffer.from(
    values.map((value) => (value instanceof Date ? value.toISOString() : String(value))).join("|"),
  ).toString("base64url");
}

/**
 * The sort key in a cursor from a link, or null for anything that is not exactly `parts` (a
 * missing, edited or foreign cursor starts from the first page): every time inside the storable
 * range, every id a UUID, every key of its characters, every number a whole one, so a hand-made cursor never fails the query.
 */
export function decodeCursor<const Parts extends readonly Part[]>(
  value: string | null | undefined,
  parts: Parts,
): Values<Parts> | null {
  if (!value || value.length > 200) return null;
  const raw = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (raw.length !== parts.length) return null;
  const decoded: (Date | string | number)[] = [];
  for (const [index, part] of parts.entries()) {
    const text = raw[index]!;
    if (part === "uuid") {
      if (!UUID.test(text)) return null;
      decoded.push(text);
    } else if (part === "key") {
      if (!KEY.test(text)) return null;
      decoded.push(text);
    } else if (part === "int") {
      if (!/^\d{1,6}$/.test(text)) return null;
      decoded.push(Number(text));
    } else {
      const time = new Date(text);
      // Exactly as encodeCursor wrote it: no rolled-over days (02-30), no six-digit years.
      if (!isStorableTime(time) || time.toISOString() !== text) return null;
      decoded.push(time);
    }
  }
  return decoded as Values<Parts>;
}
