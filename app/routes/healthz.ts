import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkHealth } from "~/lib/health.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const health = await checkHealth(context.db);
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
