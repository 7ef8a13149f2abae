import path from "node:path";
import type Stripe from "stripe";
import type { Env } from "../app/lib/env.server";
import { createStripeClient } from "../app/modules/billing/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "../stripe-emulator";

export type StripeConnection = { stripe: Stripe; emulator: StripeEmulator | null; close: () => Promise<void> };

/** Stripe itself with STRIPE_SECRET_KEY; otherwise the local emulator, its state kept in DATA_DIR. */
export async function connectStripe(env: Env): Promise<StripeConnection> {
  if (env.STRIPE_SECRET_KEY) {
    return { stripe: createStripeClient({ secretKey: env.STRIPE_SECRET_KEY }), emulator: null, close: async () => {} };
  }
  const emulator = await startStripeEmulator({ stateFile: path.resolve(env.DATA_DIR, "stripe-emulator.json") });
  return { stripe: createStripeClient({ emulatorPort: emulator.port }), emulator, close: () => emulator.stop() };
}
