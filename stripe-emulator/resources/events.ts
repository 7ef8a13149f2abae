import { z } from "zod";
import { paginate, paginationParams } from "../list";
import { parseParams } from "../params";
import type { Route } from "../router";

const listParams = z.strictObject({
  ...paginationParams,
  type: z.string().optional(),
  types: z.array(z.string()).max(20).optional(),
});

/** `type` accepts Stripe's `*` wildcard, as in `customer.subscription.*`. */
function typeMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
  return new RegExp(`^${escaped}$`);
}

export const eventRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/events/:id",
    handle: ({ pathParams }, context) => context.store.events.require(pathParams.id ?? ""),
  },
  {
    method: "GET",
    path: "/v1/events",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const type = input.type === undefined ? undefined : typeMatcher(input.type);
      const events = context.store.events
        .newestFirst()
        .filter(
          (event) =>
            (type === undefined || type.test(event.type)) &&
            (input.types === undefined || input.types.includes(event.type)),
        );
      return paginate(events, input, "/v1/events");
    },
  },
];
