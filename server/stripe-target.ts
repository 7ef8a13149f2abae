import path from "node:path";
import type Stripe from "stripe";
import type { Env } from "../app/lib/env.server";
import { localSecret } from "../db/local-secret";
import { createStripeClient } from "../app/modules/billing/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "../stripe-emulator";

export type StripeConnection = {
  stripe: Stripe;
  webhookSecret: string;
  emulator: Pick<StripeEmulator, "url"> | null;
  close: () => Promise<void>;
};

/**
 * Stripe itself with STRIPE_SECRET_KEY; otherwise the local emulator (one already running at
 * STRIPE_EMULATOR_URL, or one started here with its state in DATA_DIR, delivering events to
 * `webhookUrl` when given), the webhook secret kept in DATA_DIR.
 */
/** The signing secret of the local emulator's webhooks, kept in the data folder (made on first use). */
export async function localWebhookSecret(dataDir: string): Promise<string> {
  return `whsec_${await localSecret(path.resolve(dataDir, "stripe-webhook-secret"))}`.replace(/-/g, "_");
}

export async function connectStripe(env: Env, webhookUrl?: string): Promise<StripeConnection> {
  if (env.STRIPE_SECRET_KEY) {
    const stripe = createStripeClient({ secretKey: env.STRIPE_SECRET_KEY });
    return { stripe, webhookSecret: env.STRIPE_WEBHOOK_SECRET!, emulator: null, close: async () => {} };
  }
  const webhookSecret = await localWebhookSecret(env.DATA_DIR);
  if (env.STRIPE_EMULATOR_URL) {
    // Someone else's emulator: its state, clock and webhook deliveries are theirs.
    const { origin, port } = new URL(env.STRIPE_EMULATOR_URL);
    return {
      stripe: createStripeClient({ emulatorPort: Number(port || 80) }),
      webhookSecret,
      emulator: { url: origin },
      close: async () => {},
    };
  }
  const emulator = await startStripeEmulator({
    stateFile: path.resolve(env.DATA_DIR, "stripe-emulator.json"),
    ...(env.STRIPE_EMULATOR_PORT ? { port: env.STRIPE_EMULATOR_PORT } : {}),
    ...(webhookUrl ? { webhookUrl, webhookSecret } : {}),
  });
  return {
    stripe: createStripeClient({ emulatorPort: emulator.port }),
    webhookSecret,
    emulator,
    close: () => emulator.stop(),
  };
}
