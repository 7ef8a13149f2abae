import type Stripe from "stripe";
import type { Clock } from "./clock";
import type { EventObject, EventType } from "./events";
import type { Store } from "./store";

/** What happens to a subscription whose renewal payment keeps failing. */
export interface DunningPolicy {
  /** Days after the first failed attempt at which payment is retried. */
  retryDays: readonly number[];
  /** The subscription's status once the last retry has failed. */
  finalStatus: "unpaid" | "canceled";
}

/** What resource handlers may use: the state, the clock, the event log and the billing settings. */
export interface EmulatorContext {
  store: Store;
  clock: Clock;
  /** Unix seconds on the emulator's clock. */
  now(): number;
  /** Where the emulator is reachable, for URLs it hands out (hosted Checkout). */
  baseUrl: string;
  dunning: DunningPolicy;
  recordEvent<T extends EventType>(
    type: T,
    object: EventObject<T>,
    request: Stripe.Event.Request | null,
    previousAttributes?: Partial<EventObject<T>>,
  ): void;
}
