import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCallback, readCallback, SIGNATURE_HEADER } from "../../provisioning";
import { queueSetupCompleteEmails } from "~/modules/email/setup-complete.server";

/**
 * A control plane reports on a request it accepted (HTTP 202). The signature covers the raw
 * body; a forged, stale or replayed report is refused and changes nothing.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const secret = context.config.provisionerHttpSecret;
  if (!secret) return Response.json({ error: "callbacks are not enabled" }, { status: 404 });
  const report = readCallback(secret, request.headers.get(SIGNATURE_HEADER), await request.text());
  if (!report.ok) return Response.json({ error: report.reason }, { status: 400 });
  if (report.payload.requestId !== params.requestId)
    return Response.json({ error: "the body names another request" }, { status: 400 });
  const outcome = await applyCallback(context.db, report.payload, {
    onSucceeded: (tx, completed) => queueSetupCompleteEmails(tx, context.config.appUrl, completed),
  });
  return outcome === "applied"
    ? Response.json({ received: true })
    : Response.json({ error: "the request is not waiting for a report" }, { status: 409 });
}
