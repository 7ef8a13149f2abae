import path from "node:path";
import type Stripe from "stripe";
import type { Env } from "../app/lib/env.server";
import { localSecret } from "../app/lib/local-secret.server";
import { createStripeClient } from "../app/modules/billing/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "../stripe-emulator";

export type StripeConnection = { stripe: Stripe; webhookSecret: string; emulator: StripeEmulator | null; close: () => Promise<void> };

/**
 * Stripe itself with STRIPE_SECRET_KEY; otherwise the local emulator, its state and webhook
 * secret kept in DATA_DIR, delivering events to `webhookUrl` when given.
 */
export async function connectStripe(env: Env, webhookUrl?: string): Promise<StripeConnection> {
  if (env.STRIPE_SECRET_KEY) {
    const stripe = createStripeClient({ secretKey: env.STRIPE_SECRET_KEY });
    return { stripe, webhookSecret: env.STRIPE_WEBHOOK_SECRET!, emulator: null, close: async () => {} };
  }
  const webhookSecret = `whsec_${await localSecret(path.resolve(env.DATA_DIR, "stripe-webhook-secret"))}`.replace(/-/g, "_");
  const emulator = await startStripeEmulator({
    stateFile: path.resolve(env.DATA_DIR, "stripe-emulator.json"),
    ...(env.STRIPE_EMULATOR_PORT ? { port: env.STRIPE_EMULATOR_PORT } : {}),
    ...(webhookUrl ? { webhookUrl, webhookSecret } : {}),
  });
  return { stripe: createStripeClient({ emulatorPort: emulator.port }), webhookSecret, emulator, close: () => emulator.stop() };
}
