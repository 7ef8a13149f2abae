import type Stripe from "stripe";
import { ID_PREFIX, newId } from "./ids";

export type EventType = Stripe.Event["type"];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;
export type EventObject<T extends EventType> = EventOf<T>["data"]["object"];

export interface EventDetails<T extends EventType> {
  created: number;
  /** The API request that caused the change; null when the customer caused it on a hosted page. */
  request: Stripe.Event.Request | null;
  previousAttributes?: Partial<EventObject<T>>;
  pendingWebhooks: number;
}

/** An event carrying a snapshot of `object` as it is now, so later changes do not rewrite history. */
export function buildEvent<T extends EventType>(type: T, object: EventObject<T>, details: EventDetails<T>): EventOf<T> {
  const event: Stripe.EventBase = {
    id: newId(ID_PREFIX.event),
    object: "event",
    api_version: API_VERSION,
    created: details.created,
    data: {
      object: snapshot(object),
      ...(details.previousAttributes ? { previous_attributes: snapshot(details.previousAttributes) } : {}),
    },
    livemode: false,
    pending_webhooks: details.pendingWebhooks,
    request: details.request,
    type,
  };
  // EventBase with this `type` and a matching `data.object` is exactly the union member EventOf<T>.
  return event as EventOf<T>;
}

/** The API version the emulator speaks: the one the installed SDK pins. */
export const API_VERSION = "2026-10-28.endive";

/** A deep copy through JSON, the form in which the object leaves the emulator anyway. */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Top-level fields of `before` whose values differ in `after`: Stripe's `previous_attributes`. */
export function previousAttributes<T extends object>(before: T, after: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(before) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key];
  }
  return changed;
}
