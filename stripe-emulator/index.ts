import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { Clock } from "./clock";
import type { DunningPolicy, EmulatorContext } from "./context";
import { buildEvent } from "./events";
import { billingPortalSessionRoutes } from "./resources/billing-portal-sessions";
import { checkoutSessionRoutes } from "./resources/checkout-sessions";
import { customerRoutes } from "./resources/customers";
import { emulatorControlRoutes } from "./resources/emulator-controls";
import { eventRoutes } from "./resources/events";
import { invoiceRoutes } from "./resources/invoices";
import { paymentMethodRoutes } from "./resources/payment-methods";
import { priceRoutes } from "./resources/prices";
import { productRoutes } from "./resources/products";
import { subscriptionScheduleRoutes } from "./resources/subscription-schedules";
import { subscriptionRoutes } from "./resources/subscriptions";
import { createEmulatorServer } from "./server";
import { Store } from "./store";
import { advanceTime } from "./time-travel";
import { WebhookDispatcher } from "./webhooks";
import type { DeliveryAttempt, ReleaseOrder } from "./webhooks";

export type { DeliveryAttempt, ReleaseOrder } from "./webhooks";
export { signatureHeader } from "./webhooks";

export interface StripeEmulatorOptions {
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** Where to POST signed events; needs `webhookSecret`. */
  webhookUrl?: string;
  /** The `whsec_…` secret the receiver verifies `Stripe-Signature` with. */
  webhookSecret?: string;
  /** JSON file the state is loaded from at start and saved to after every change. */
  stateFile?: string;
  /** Deliver every event twice. */
  duplicateDeliveries?: boolean;
  /** Waits before each webhook retry; its length bounds the retries. */
  retryDelaysMs?: number[];
  /** Retries of failed renewal payments: default 3, 5 and 7 days after the first failure, then `unpaid`. */
  dunning?: { retryDays?: number[]; finalStatus?: DunningPolicy["finalStatus"] };
}

const DEFAULT_DUNNING: DunningPolicy = { retryDays: [3, 5, 7], finalStatus: "unpaid" };

export interface StripeEmulator {
  /** `http://host:port`, the base of every URL the emulator hands out. */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Every recorded event, newest first. */
  events(): Stripe.Event[];
  /** Every webhook delivery attempt so far, in the order they finished. */
  webhookAttempts(): readonly DeliveryAttempt[];
  /** Resolves when no webhook delivery or retry is pending. */
  webhooksIdle(): Promise<void>;
  /** Collect events instead of delivering them... */
  holdWebhooks(): void;
  /** ...then deliver the collected batch, e.g. in reverse order to test out-of-order handling. */
  releaseWebhooks(order: ReleaseOrder): void;
  /** Moves the emulator's clock forward, running renewals, retries and expiries that fall due on the way. */
  advanceTime(seconds: number): Promise<void>;
  /** The emulator's clock, unix seconds: real time plus every `advanceTime` so far. */
  now(): number;
}

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  if ((options.webhookUrl === undefined) !== (options.webhookSecret === undefined)) {
    throw new Error("startStripeEmulator: webhookUrl and webhookSecret go together");
  }
  const store = new Store();
  const { stateFile } = options;
  if (stateFile !== undefined && existsSync(stateFile)) store.load(stateFile);

  const dispatcher =
    options.webhookUrl !== undefined && options.webhookSecret !== undefined
      ? new WebhookDispatcher({
          url: options.webhookUrl,
          secret: options.webhookSecret,
          duplicateDeliveries: options.duplicateDeliveries ?? false,
          ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
          onDelivered(eventId) {
            const event = store.events.get(eventId);
            if (event) store.events.put({ ...event, pending_webhooks: 0 });
          },
        })
      : null;

  const retryDays = options.dunning?.retryDays ?? DEFAULT_DUNNING.retryDays;
  if (retryDays.some((day, index) => !Number.isInteger(day) || day <= (retryDays[index - 1] ?? 0))) {
    throw new Error("startStripeEmulator: dunning.retryDays must be whole days, increasing, after day 0");
  }
  const clock = new Clock(store);
  const context: EmulatorContext = {
    store,
    clock,
    now: () => clock.now(),
    baseUrl: "",
    dunning: { retryDays, finalStatus: options.dunning?.finalStatus ?? DEFAULT_DUNNING.finalStatus },
    recordEvent(type, object, request, previousAttributes) {
      const event = buildEvent(type, object, {
        created: context.now(),
        request,
        pendingWebhooks: dispatcher ? 1 : 0,
        ...(previousAttributes ? { previousAttributes } : {}),
      });
      store.events.put(event);
      dispatcher?.send(event);
    },
  };

  const persist = () => {
    if (stateFile !== undefined) store.save(stateFile);
  };
  const server = createEmulatorServer({
    context,
    routes: [
      ...customerRoutes,
      ...paymentMethodRoutes,
      ...productRoutes,
      ...priceRoutes,
      ...checkoutSessionRoutes,
      ...subscriptionRoutes,
      ...subscriptionScheduleRoutes,
      ...invoiceRoutes,
      ...billingPortalSessionRoutes,
      ...eventRoutes,
      ...emulatorControlRoutes,
    ],
    onStateChanged: persist,
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  context.baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: context.baseUrl,
    port,
    async stop() {
      await dispatcher?.stop();
      persist();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Keep-alive sockets (the SDK's agent, browsers) would otherwise hold the server open.
      server.closeAllConnections();
      await closed;
    },
    events: () => store.events.newestFirst(),
    webhookAttempts: () => dispatcher?.attempts ?? [],
    webhooksIdle: async () => {
      await dispatcher?.idle();
    },
    holdWebhooks: () => dispatcher?.hold(),
    releaseWebhooks: (order) => dispatcher?.release(order),
    async advanceTime(seconds) {
      advanceTime(context, seconds);
      persist();
    },
    now: () => clock.now(),
  };
}
