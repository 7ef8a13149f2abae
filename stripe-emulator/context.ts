import type Stripe from "stripe";
import type { EventObject, EventType } from "./events";
import type { Store } from "./store";

/** What resource handlers may use: the state, the clock, and the event log. */
export interface EmulatorContext {
  store: Store;
  /** Unix seconds. */
  now(): number;
  /** Where the emulator is reachable, for URLs it hands out (hosted Checkout). */
  baseUrl: string;
  recordEvent<T extends EventType>(
    type: T,
    object: EventObject<T>,
    request: Stripe.Event.Request | null,
    previousAttributes?: Partial<EventObject<T>>,
  ): void;
}
