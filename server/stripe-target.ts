import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type Stripe from "stripe";
import type { Env } from "../app/lib/env.server";
import { otherOwner } from "../db/embedded/owner";
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

export async function connectStripe(
  env: Env,
  webhookUrl?: string,
  { shared = false }: { shared?: boolean } = {},
): Promise<StripeConnection> {
  if (env.STRIPE_SECRET_KEY) {
    const stripe = createStripeClient({ secretKey: env.STRIPE_SECRET_KEY });
    return { stripe, webhookSecret: env.STRIPE_WEBHOOK_SECRET!, emulator: null, close: async () => {} };
  }
  const webhookSecret = await localWebhookSecret(env.DATA_DIR);
  const urlFile = path.resolve(env.DATA_DIR, "stripe-emulator.url");
  // A command-line tool while the portal runs: its emulator owns the state file, so use that one.
  const running = shared && !env.STRIPE_EMULATOR_URL ? await readFile(urlFile, "utf8").catch(() => null) : null;
  if (running && (await portalRunsOn(env.DATA_DIR))) {
    const { port } = new URL(running.trim());
    return {
      stripe: createStripeClient({ emulatorPort: Number(port) }),
      webhookSecret,
      emulator: { url: running.trim() },
      close: async () => {},
    };
  }
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
  await writeFile(urlFile, `${emulator.url}\n`);
  return {
    stripe: createStripeClient({ emulatorPort: emulator.port }),
    webhookSecret,
    emulator,
    close: async () => {
      await rm(urlFile, { force: true });
      await emulator.stop();
    },
  };
}

/** Whether the process that owns the data folder (`npm start`) is alive. */
async function portalRunsOn(dataDir: string): Promise<boolean> {
  return (await otherOwner(path.resolve(dataDir))) !== null;
}
