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

const PREFIX_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A customer's invoice prefix as Stripe makes one: eight upper-case letters and digits. */
export function newInvoicePrefix(): string {
  let prefix = "";
  for (const byte of randomBytes(8)) prefix += PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length];
  return prefix;
}

/**
 * The customer's invoice prefix; customers saved by older emulators have none, so one is derived
 * from their id (the same every time, so their invoice numbers stay in one sequence).
 */
export function invoicePrefixOf(customer: { id: string; invoice_prefix?: string | null }): string {
  if (customer.invoice_prefix) return customer.invoice_prefix;
  return customer.id.slice(-8).toUpperCase().padStart(8, "0");
}
