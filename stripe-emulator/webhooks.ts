import { createHmac } from "node:crypto";
import type Stripe from "stripe";

/** Stripe retries failed deliveries for days; these defaults keep a local demo's retries within minutes. */
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000];

const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookEndpointOptions {
  url: string;
  secret: string;
  /** Waits before each retry; the number of entries bounds the retries. */
  retryDelaysMs?: readonly number[];
  /** Deliver every event twice, as Stripe may, so receivers prove they are idempotent. */
  duplicateDeliveries?: boolean;
  /** Called once an event has been accepted (2xx) by the endpoint. */
  onDelivered?: (eventId: string) => void;
}

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  attempt: number;
  /** The receiver's HTTP status, or null when the request failed (connection refused, timeout). */
  status: number | null;
}

export type ReleaseOrder = "as_recorded" | "reverse";

/** The `Stripe-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`. */
export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

/** Delivers events to one endpoint with Stripe's signing scheme, retrying with backoff. */
export class WebhookDispatcher {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private held: Stripe.Event[] | null = null;
  private stopped = false;

  constructor(private readonly endpoint: WebhookEndpointOptions) {}

  send(event: Stripe.Event): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    const copies = this.endpoint.duplicateDeliveries ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) this.track(this.deliver(event));
  }

  /** Collects events instead of sending them until `release`, to send a batch out of order. */
  hold(): void {
    this.held ??= [];
  }

  release(order: ReleaseOrder): void {
    const batch = this.held ?? [];
    this.held = null;
    for (const event of order === "reverse" ? batch.reverse() : batch) this.send(event);
  }

  /** Resolves once every started delivery, retries included, has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Abandons pending retries; deliveries already on the wire finish on their own. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.timers) {
      clearTimeout(pending.timer);
      pending.wake();
    }
    await this.idle();
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(event: Stripe.Event): Promise<void> {
    const delays = this.endpoint.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    // Stripe sends the event pretty-printed; receivers must verify the exact bytes.
    const payload = JSON.stringify(event, null, 2);
    for (let attempt = 1; attempt <= delays.length + 1 && !this.stopped; attempt++) {
      const status = await this.post(payload);
      this.attempts.push({ eventId: event.id, eventType: event.type, attempt, status });
      if (status !== null && status >= 200 && status < 300) {
        this.endpoint.onDelivered?.(event.id);
        return;
      }
      const delay = delays[attempt - 1];
      if (delay !== undefined) await this.sleep(delay);
    }
  }

  private async post(payload: string): Promise<number | null> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(this.endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signatureHeader(payload, this.endpoint.secret, timestamp),
        },
        body: payload,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.status;
    } catch {
      return null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.timers.delete(pending);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.timers.add(pending);
    });
  }
}
