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
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(secret, purpose, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const payload = payloadSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
    return payload.purpose === purpose && payload.expiresAt > now ? payload : null;
  } catch {
    return null;
  }
}
