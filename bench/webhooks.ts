import { createStripeClient } from "../app/modules/billing/stripe.server";
import { connectDb } from "../db/client";
import { localWebhookSecret } from "../server/stripe-target";
import { signatureHeader, startStripeEmulator } from "../stripe-emulator";
import { startPortal } from "../server/portal-process";
import { load } from "./load";
import { paidEventToRequestMs } from "./paid-orders";
import { percentile } from "./percentile";
import { simpleUpdateTps } from "./postgres-limit";
import type { Report, Scale } from "./scale";

/** Events signed per second of intake: more than the intake could take; running out fails the scenario. */
const PREPARED_PER_SECOND = 10_000;

/**
 * Stripe's webhooks against the portal as `npm start` runs it (worker in the same process,
 * logs at info), with a Stripe emulator in this process standing in for Stripe. In order:
 * the PostgreSQL limit on the portal's own server; paid event → provisioning request for real
 * orders (see paid-orders.ts); then intake: 50 connections POST signed events, each with a new
 * id, for 10 s, every one verified, stored with its job and answered while the worker
 * processes them.
 */
export async function webhooksScenario(report: Report, { pick }: Scale): Promise<void> {
  const intakeSeconds = pick(10, 1);
  const emulator = await startStripeEmulator();
  const portal = await startPortal({ LOG_LEVEL: "info", STRIPE_EMULATOR_URL: emulator.url });
  const database = connectDb(await portal.databaseUrl(), { max: 20 });
  try {
    const webhookSecret = await localWebhookSecret(portal.dataDir);
    const limitTps = await simpleUpdateTps(database, pick(5, 1));
    report("postgres.limit_tps", Math.round(limitTps));

    const stripe = createStripeClient({ emulatorPort: emulator.port });
    const target = { database, stripe, emulator, portalUrl: portal.url, webhookSecret };
    const toRequest = await paidEventToRequestMs(target, pick(200, 5));
    report("webhooks.to_request_p50_ms", percentile(toRequest, 0.5));
    report("webhooks.to_request_p99_ms", percentile(toRequest, 0.99));

    const prepared = PREPARED_PER_SECOND * intakeSeconds;
    const events = signedEvents(webhookSecret, prepared);
    let sent = 0;
    const result = await load(`${portal.url}/webhooks/stripe`, {
      connections: 50,
      seconds: intakeSeconds,
      method: "POST",
      setupRequest: (request) => {
        const event = events[sent++];
        if (!event) throw new Error(`webhooks: all ${prepared} prepared events sent; prepare more`);
        return { ...request, ...event };
      },
    });
    if (result.errors || result.statusCounts["4xx"] || result.statusCounts["5xx"]) {
      throw new Error(`webhooks: ${result.errors} errors, answers ${JSON.stringify(result.statusCounts)}`);
    }
    report("webhooks.accepted_per_s", Math.round(result.rps));
    report("webhooks.p50_ms", result.p50Ms);
    report("webhooks.p99_ms", result.p99Ms);
    report("webhooks.ratio_to_limit", Number((result.rps / limitTps).toFixed(3)));
  } finally {
    await database.close();
    await portal.stop();
    await emulator.stop();
  }
}

/** Signed deliveries with new ids, prepared before the run so that signing costs the load nothing. */
function signedEvents(secret: string, count: number): { body: string; headers: Record<string, string> }[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({
      id: `evt_bench_${process.pid}_${i}`,
      object: "event",
      type: "invoice.created",
      livemode: false,
      data: { object: { id: `in_bench_${i}` } },
    });
    return {
      body,
      headers: { "Content-Type": "application/json", "Stripe-Signature": signatureHeader(body, secret, timestamp) },
    };
  });
}
