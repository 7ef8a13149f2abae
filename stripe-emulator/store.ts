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

  toJSON(): T[] {
    return [...this.byId.values()];
  }

  replaceAll(objects: readonly T[]): void {
    this.byId.clear();
    for (const object of objects) this.byId.set(object.id, object);
  }
}

const savedObjects = z.array(z.looseObject({ id: z.string() }));
const savedState = z.object({
  version: z.literal(1),
  customers: savedObjects,
  products: savedObjects,
  prices: savedObjects,
  checkoutSessions: savedObjects,
  subscriptions: savedObjects,
  invoices: savedObjects,
  events: savedObjects,
  checkoutSubscriptionData: z.array(
    z.tuple([z.string(), z.object({ trialEnd: z.number().nullable(), metadata: z.record(z.string(), z.string()) })]),
  ),
  idempotency: z.array(z.tuple([z.string(), z.object({ fingerprint: z.string(), status: z.number(), body: z.unknown() })])),
});

/** All emulator state, in memory, with JSON persistence so a restarted demo keeps its data. */
export class Store {
  readonly customers = new Collection<Stripe.Customer>("customer");
  readonly products = new Collection<Stripe.Product>("product");
  readonly prices = new Collection<Stripe.Price>("price");
  readonly checkoutSessions = new Collection<Stripe.Checkout.Session>("checkout.session");
  readonly subscriptions = new Collection<Stripe.Subscription>("subscription");
  readonly invoices = new Collection<Stripe.Invoice>("invoice");
  readonly events = new Collection<Stripe.Event>("event");
  readonly checkoutSubscriptionData = new Map<string, CheckoutSubscriptionData>();
  readonly idempotency = new Map<string, StoredResponse>();

  /** Writes atomically (temp file + rename) so a crash mid-write never leaves a torn file. */
  save(file: string): void {
    const state = {
      version: 1,
      customers: this.customers,
      products: this.products,
      prices: this.prices,
      checkoutSessions: this.checkoutSessions,
      subscriptions: this.subscriptions,
      invoices: this.invoices,
      events: this.events,
      checkoutSubscriptionData: [...this.checkoutSubscriptionData],
      idempotency: [...this.idempotency],
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  load(file: string): void {
    const state = savedState.parse(JSON.parse(readFileSync(file, "utf8")));
    // The file is this class's own output, so each array holds the objects of its collection.
    this.customers.replaceAll(state.customers as unknown as Stripe.Customer[]);
    this.products.replaceAll(state.products as unknown as Stripe.Product[]);
    this.prices.replaceAll(state.prices as unknown as Stripe.Price[]);
    this.checkoutSessions.replaceAll(state.checkoutSessions as unknown as Stripe.Checkout.Session[]);
    this.subscriptions.replaceAll(state.subscriptions as unknown as Stripe.Subscription[]);
    this.invoices.replaceAll(state.invoices as unknown as Stripe.Invoice[]);
    this.events.replaceAll(state.events as unknown as Stripe.Event[]);
    this.checkoutSubscriptionData.clear();
    for (const [id, data] of state.checkoutSubscriptionData) this.checkoutSubscriptionData.set(id, data);
    this.idempotency.clear();
    for (const [key, response] of state.idempotency) this.idempotency.set(key, response);
  }
}
