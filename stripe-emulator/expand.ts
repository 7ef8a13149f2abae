import { invalidRequest } from "./errors";
import { snapshot } from "./events";

/** Finds any stored object by id, for expansion. */
export type ObjectLookup = (id: string) => object | undefined;

/** Stripe refuses expansions nested deeper than four levels. */
const MAX_EXPAND_DEPTH = 4;

/**
 * Replaces ids with the objects they name along each dotted `expand[]` path (`subscription`,
 * `data.price`, `items.data.price.product`). Works on a copy, so stored objects keep their ids.
 */
export function expandResponse(body: object, paths: readonly string[], lookup: ObjectLookup): object {
  let expanded: unknown = snapshot(body);
  for (const path of paths) {
    const segments = path.split(".");
    if (segments.length > MAX_EXPAND_DEPTH) {
      throw invalidRequest(
        `You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${path}`,
        "expand",
      );
    }
    expanded = expandAt(expanded, segments, path, lookup);
  }
  return expanded as object;
}

function expandAt(value: unknown, segments: readonly string[], path: string, lookup: ObjectLookup): unknown {
  const [key, ...rest] = segments;
  if (key === undefined || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((element) => expandAt(element, segments, path, lookup));
  const record = value as Record<string, unknown>;
  if (!(key in record)) throw invalidRequest(`This property cannot be expanded (${path}).`, "expand");
  const child = record[key];
  const resolved = typeof child === "string" ? (lookup(child) ?? child) : child;
  return {
    ...record,
    [key]: rest.length === 0 ? snapshot(resolved) : expandAt(snapshot(resolved), rest, path, lookup),
  };
}
