import type Stripe from "stripe";
import { z } from "zod";
import { invalidRequest } from "./errors";
import { formInteger } from "./params";

/** Pagination params every list endpoint accepts. */
export const paginationParams = {
  limit: formInteger.pipe(z.number().min(1).max(100)).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
};

export interface Pagination {
  limit?: number | undefined;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/** One page of `items` (newest first, as Stripe lists), cut by the cursor params. */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  page: Pagination,
  url: string,
): Stripe.ApiList<T> {
  const limit = page.limit ?? 10;
  if (page.ending_before !== undefined) {
    const end = cursorIndex(items, page.ending_before, "ending_before");
    const start = Math.max(0, end - limit);
    return { object: "list", data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = page.starting_after === undefined ? 0 : cursorIndex(items, page.starting_after, "starting_after") + 1;
  return { object: "list", data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
}

function cursorIndex(items: readonly { id: string }[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) throw invalidRequest(`No such object: '${id}'`, param, "resource_missing");
  return index;
}
