import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Object id prefixes as Stripe issues them in test mode. */
export const ID_PREFIX = {
  customer: "cus",
  product: "prod",
  price: "price",
  checkoutSession: "cs_test",
  subscription: "sub",
  subscriptionItem: "si",
  invoice: "in",
  /** Unsaved invoices from `invoices.createPreview`. */
  previewInvoice: "upcoming_in",
  invoiceLine: "il",
  invoiceItem: "ii",
  paymentMethod: "pm",
  subscriptionSchedule: "sub_sched",
  billingPortalSession: "bps",
  event: "evt",
  request: "req",
  lineItem: "li",
} as const;

export type IdPrefix = (typeof ID_PREFIX)[keyof typeof ID_PREFIX];

/** A Stripe-looking id: the prefix, an underscore and 24 base62 characters. */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(24);
  let suffix = "";
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${suffix}`;
}
