import { z } from "zod";

const uuid = z.uuid();

/** True for a UUID as the portal's tables make them (PostgreSQL refuses anything else in a uuid column). */
export function isUuid(value: unknown): value is string {
  return uuid.safeParse(value).success;
}

/**
 * The UUID in a route's URL segment `name`, or a thrown 404 before any query: an address with
 * anything else in it names no page (a uuid column would refuse it with an error, not "no row").
 * Every route with an `$…Id` segment reads it through here.
 */
export function idParam(params: Record<string, string | undefined>, name: string): string {
  const value = params[name];
  if (!isUuid(value)) throw new Response("Not found", { status: 404 });
  return value;
}
