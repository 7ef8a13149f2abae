import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type Stripe from "stripe";
import { z } from "zod";
import { noSuch } from "./errors";

/** A response kept under its Idempotency-Key, with what identifies the request that produced it. */
export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** Subscription details a Checkout Session keeps until paid; Stripe does not show them on the session. */
export interface CheckoutSubscriptionData {
  trialEnd: number | null;
  metadata: Record<string, string>;
}

/** Objects of one kind, in creation order. */
export class Collection<T extends { id: string }> {
  private readonly byId = new Map<string, T>();

  constructor(readonly resourceName: string) {}

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** The object, or Stripe's 404 naming `param` as the culprit. */
  require(id: string, param?: string): T {
    const found = this.byId.get(id);
    if (!found) throw noSuch(this.resourceName, id, param);
    return found;
  }

  put(object: T): T {
    this.byId.set(object.id, object);
    return object;
  }

  /** Newest first, the order Stripe lists in. */
  newestFirst(): T[] {
    return [...this.byId.values()].reverse();
  }

  oldestFirst(): T[] {
    return [...this.byId.values()];
  }

  toJSON(): T[] {
    return [...this.byId.values()];
  }

  replaceAll(objects: readonly T[]): void {
    this.byId.clear();
    for (const object of objects) this.byId.set(object.id, object);
  }
}

/** Bookkeeping of an open invoice in automatic retry (dunning). */
export interface PaymentRetryState {
  /** When the first automatic attempt failed; the retry schedule counts from here. */
  firstFailureAt: number;
  retriesMade: number;
}

const savedObjects = z.array(z.looseObject({ id: z.string() })).default([]);
const savedState = z.looseObject({
  version: z.literal(1),
  // Everything below the first slice's fields defaults, so older state files still load.
  clockOffsetSeconds: z.number().default(0),
  checkoutSubscriptionData: z
    .array(
      z.tuple([z.string(), z.object({ trialEnd: z.number().nullable(), metadata: z.record(z.string(), z.string()) })]),
    )
    .default([]),
  idempotency: z
    .array(z.tuple([z.string(), z.object({ fingerprint: z.string(), status: z.number(), body: z.unknown() })]))
    .default([]),
  trialRemindersSent: z.array(z.string()).default([]),
  paymentRetries: z
    .array(z.tuple([z.string(), z.object({ firstFailureAt: z.number(), retriesMade: z.number() })]))
    .default([]),
});

/** All emulator state, in memory, with JSON persistence so a restarted demo keeps its data. */
export class Store {
  readonly customers = new Collection<Stripe.Customer>("customer");
  readonly products = new Collection<Stripe.Product>("product");
  readonly prices = new Collection<Stripe.Price>("price");
  readonly checkoutSessions = new Collection<Stripe.Checkout.Session>("checkout.session");
  readonly subscriptions = new Collection<Stripe.Subscription>("subscription");
  readonly invoices = new Collection<Stripe.Invoice>("invoice");
  /** Proration items; those with `invoice: null` wait for the subscription's next invoice. */
  readonly invoiceItems = new Collection<Stripe.InvoiceItem>("invoiceitem");
  readonly paymentMethods = new Collection<Stripe.PaymentMethod>("PaymentMethod");
  readonly subscriptionSchedules = new Collection<Stripe.SubscriptionSchedule>("subscription_schedule");
  readonly billingPortalSessions = new Collection<Stripe.BillingPortal.Session>("billing_portal.session");
  readonly events = new Collection<Stripe.Event>("event");
  readonly checkoutSubscriptionData = new Map<string, CheckoutSubscriptionData>();
  readonly idempotency = new Map<string, StoredResponse>();
  /** Subscriptions whose `customer.subscription.trial_will_end` has been sent. */
  readonly trialRemindersSent = new Set<string>();
  /** Open invoices in automatic retry, by invoice id. */
  readonly paymentRetries = new Map<string, PaymentRetryState>();
  /** How far the emulator's clock runs ahead of real time (see `Clock`). */
  clockOffsetSeconds = 0;

  /** The collections by the key they are saved under. */
  private collections(): Record<string, Collection<{ id: string }>> {
    const {
      customers,
      products,
      prices,
      checkoutSessions,
      subscriptions,
      invoices,
      invoiceItems,
      paymentMethods,
      subscriptionSchedules,
      billingPortalSessions,
      events,
    } = this;
    return {
      customers,
      products,
      prices,
      checkoutSessions,
      subscriptions,
      invoices,
      invoiceItems,
      paymentMethods,
      subscriptionSchedules,
      billingPortalSessions,
      events,
    };
  }

  /** Writes atomically (temp file + rename) so a crash mid-write never leaves a torn file. */
  save(file: string): void {
    const state = {
      version: 1,
      clockOffsetSeconds: this.clockOffsetSeconds,
      ...this.collections(),
      checkoutSubscriptionData: [...this.checkoutSubscriptionData],
      idempotency: [...this.idempotency],
      trialRemindersSent: [...this.trialRemindersSent],
      paymentRetries: [...this.paymentRetries],
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  load(file: string): void {
    const state = savedState.parse(JSON.parse(readFileSync(file, "utf8")));
    // The file is this class's own output, so each array holds the objects of its collection.
    for (const [key, collection] of Object.entries(this.collections()))
      collection.replaceAll(savedObjects.parse(state[key]));
    this.clockOffsetSeconds = state.clockOffsetSeconds;
    replaceEntries(this.checkoutSubscriptionData, state.checkoutSubscriptionData);
    replaceEntries(this.idempotency, state.idempotency);
    replaceEntries(this.paymentRetries, state.paymentRetries);
    this.trialRemindersSent.clear();
    for (const id of state.trialRemindersSent) this.trialRemindersSent.add(id);
  }
}

function replaceEntries<K, V>(map: Map<K, V>, entries: readonly (readonly [K, V])[]): void {
  map.clear();
  for (const [key, value] of entries) map.set(key, value);
}
