import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkHealth } from "~/lib/health.server";
import { RETRY_AFTER_SECONDS } from "~/lib/unavailable.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const health = await checkHealth(context.db);
  const ok = health.status === "ok";
  return Response.json(health, {
    status: ok ? 200 : 503,
    headers: { "Cache-Control": "no-store", ...(ok ? {} : { "Retry-After": RETRY_AFTER_SECONDS }) },
  });
}
