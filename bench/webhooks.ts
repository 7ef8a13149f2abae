import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startPortal } from "../test/support/portal-process";
import { load } from "./load";

type Report = (name: string, value: number) => void;

/**
 * Signed Stripe events POSTed to /webhooks/stripe by 50 connections, each a new event id: every
 * one is verified, stored in the inbox with its job, and answered, as Stripe would see it. The
 * worker in the same process processes them meanwhile.
 */
export async function webhooksScenario(report: Report): Promise<void> {
  const portal = await startPortal({ LOG_LEVEL: "info" });
  try {
    const raw = (await readFile(path.join(portal.dataDir, "stripe-webhook-secret"), "utf8")).trim();
    const secret = `whsec_${raw}`.replace(/-/g, "_");
    let sequence = 0;
    const result = await load(`${portal.url}/webhooks/stripe`, {
      connections: 50,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      setupRequest: (request) => {
        sequence += 1;
        const body = JSON.stringify({ id: `evt_bench_${process.pid}_${sequence}`, object: "event", type: "invoice.created", data: { object: { id: `in_bench_${sequence}` } } });
        const timestamp = Math.floor(Date.now() / 1000);
        const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
        return { ...request, body, headers: { ...request.headers, "Stripe-Signature": `t=${timestamp},v1=${signature}` } };
      },
    });
    if (result.errors || result.statusCounts["4xx"] || result.statusCounts["5xx"]) {
      throw new Error(`webhooks: ${result.errors} errors, answers ${JSON.stringify(result.statusCounts)}`);
    }
    report("webhooks.accepted_per_s", Math.round(result.rps));
    report("webhooks.p50_ms", result.p50Ms);
    report("webhooks.p99_ms", result.p99Ms);
  } finally {
    await portal.stop();
  }
}
