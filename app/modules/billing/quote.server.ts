import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * The terms of a previewed upgrade, signed: the confirm form carries them back, and a customer
 * cannot alter the proration date (a later one would cost less) or the items without the secret.
 */
const quoteSchema = z.object({
  accountId: z.uuid(),
  subscriptionId: z.string(),
  priceId: z.string(),
  quantity: z.number().int().positive(),
  prorationDate: z.number().int(),
  expiresAt: z.number().int(),
});
export type Quote = z.infer<typeof quoteSchema>;

/** A preview is honoured this long; after that the customer reviews the change again. */
const QUOTE_TTL_MS = 30 * 60_000;

function signature(secret: string, body: string): Buffer {
  return createHmac("sha256", secret).update(`plan-change-quote.${body}`).digest();
}

export function signQuote(secret: string, quote: Omit<Quote, "expiresAt">, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ ...quote, expiresAt: now + QUOTE_TTL_MS })).toString("base64url");
  return `${body}.${signature(secret, body).toString("base64url")}`;
}

/** The quote when intact and unexpired; otherwise null. */
export function readQuote(secret: string, token: string, now = Date.now()): Quote | null {
  const [body, given, extra] = token.split(".");
  if (!body || !given || extra !== undefined) return null;
  const expected = signature(secret, body);
  const provided = Buffer.from(given, "base64url");
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) return null;
  const parsed = quoteSchema.safeParse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  return parsed.success && parsed.data.expiresAt > now ? parsed.data : null;
}
