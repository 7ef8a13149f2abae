import { startPortal } from "../server/portal-process";
import { startBareServer, type BareServer } from "./bare-server";
import { load } from "./load";
import type { Report, Scale } from "./scale";

/**
 * The pricing page under 50 connections against a bare Node server sending the same bytes,
 * one after the other on the same machine. The portal runs as `npm start` does, request logs on.
 */
export async function pricingScenario(report: Report, { pick }: Scale): Promise<void> {
  const seconds = pick(10, 1);
  const portal = await startPortal({ LOG_LEVEL: "info" });
  let baseline: BareServer | undefined;
  try {
    const url = `${portal.url}/pricing`;
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    if (pick(true, false)) await load(url, { seconds: 2 });
    const pricing = await load(url, { seconds });
    if (pricing.errors || pricing.rps * seconds > pricing.statusCounts["2xx"] * 1.01) {
      throw new Error(`pricing: ${pricing.errors} errors, answers ${JSON.stringify(pricing.statusCounts)}`);
    }

    baseline = await startBareServer(body);
    const baselineUrl = `${baseline.url}/pricing`;
    if (pick(true, false)) await load(baselineUrl, { seconds: 2 });
    const bare = await load(baselineUrl, { seconds });

    report("pricing.bytes", body.length);
    report("pricing.rps", Math.round(pricing.rps));
    report("pricing.p50_ms", pricing.p50Ms);
    report("pricing.p99_ms", pricing.p99Ms);
    report("baseline.rps", Math.round(bare.rps));
    report("baseline.p99_ms", bare.p99Ms);
    report("pricing.rps_ratio", Number((pricing.rps / bare.rps).toFixed(3)));
  } finally {
    await baseline?.stop();
    await portal.stop();
  }
}
