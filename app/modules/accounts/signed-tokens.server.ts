import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { signupIntentSchema } from "./signup-intent";

export type TokenPurpose = "verify_email" | "reset_password" | "change_email";

const payloadSchema = z.object({
  purpose: z.enum(["verify_email", "reset_password", "change_email"]),
  userId: z.uuid(),
  email: z.string(),
  /** Ties a link to the state it was issued for (the password it replaces, the address it changes), so it works once. */
  fingerprint: z.string().optional(),
  /** A confirmation link's sign-up intent: the plan to try or buy and the lead to link. */
  intent: signupIntentSchema.optional(),
  expiresAt: z.number().int(),
});
export type TokenPayload = z.infer<typeof payloadSchema>;

function sign(secret: string, purpose: string, body: string): string {
  return createHmac("sha256", secret).update(`${purpose}.${body}`).digest("base64url");
}

/** The decoded JSON body of a `<body>.<signature>` token signed for this purpose; null otherwise. */
function verifiedBody(secret: string, purpose: string, token: string): unknown {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(secret, purpose, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

/** A link token that carries its own expiry and cannot be altered without the secret. */
export function createSignedToken(
  secret: string,
  payload: Omit<TokenPayload, "expiresAt">,
  ttlMs: number,
  now = Date.now(),
): string {
  const body = Buffer.from(JSON.stringify({ ...payload, expiresAt: now + ttlMs })).toString("base64url");
  return `${body}.${sign(secret, payload.purpose, body)}`;
}

/** The payload when the token is intact, for this purpose, and unexpired; otherwise null. */
export function readSignedToken(
  secret: string,
  purpose: TokenPurpose,
  token: string,
  now = Date.now(),
): TokenPayload | null {
  const parsed = payloadSchema.safeParse(verifiedBody(secret, purpose, token));
  return parsed.success && parsed.data.purpose === purpose && parsed.data.expiresAt > now ? parsed.data : null;
}

/** Email lists a person can leave from an email's unsubscribe link. */
export const EMAIL_LISTS = ["onboarding"] as const;
export type EmailList = (typeof EMAIL_LISTS)[number];

const unsubscribePayloadSchema = z.object({ userId: z.uuid(), list: z.enum(EMAIL_LISTS) });
export type UnsubscribePayload = z.infer<typeof unsubscribePayloadSchema>;

/**
 * The token of an unsubscribe link (RFC 8058 one-click): names the person and the list, never
 * expires (a link in an old email must still work), and cannot be altered without the secret.
 */
export function createUnsubscribeToken(secret: string, payload: UnsubscribePayload): string {
  const body = Buffer.from(JSON.stringify(unsubscribePayloadSchema.parse(payload))).toString("base64url");
  return `${body}.${sign(secret, "unsubscribe", body)}`;
}

/** The person and list of an intact unsubscribe token; null for a tampered or malformed one. */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribePayload | null {
  const parsed = unsubscribePayloadSchema.safeParse(verifiedBody(secret, "unsubscribe", token));
  return parsed.success ? parsed.data : null;
}
