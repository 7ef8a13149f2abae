/**
 * The action the key pages share (customer and staff): validate the confirmation, spend the
 * rotation budget, rotate, and answer the new key once. Permissions are the route's to check first.
 */
import { data, type HeadersFunction } from "@remix-run/node";
import { z } from "zod";
import type { Database } from "#db/client";
import { tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { consumeRateLimit } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { rotateIngestKey, type KeyRotator } from "./key-rotation.server";

/** What the page renders after the action: the new key (shown this once) or a sentence why not. */
export type RotationAnswer =
  { ok: true; key: string; prefix: string; previousPrefix: string | null } | { ok: false; message: string };

const confirmation = z.object({
  confirm: z.literal("yes", { error: "Confirm that the old key may stop working." }),
  mode: z.enum(["rotate", "first"], { error: "Reload the page and try again." }),
});

/**
 * The key pages' `headers` export: Retry-After as everywhere, and the action's `Cache-Control:
 * no-store`, so no cache (browser or proxy) keeps the page that shows a key.
 */
export const keyPageHeaders: HeadersFunction = (args) => {
  const headers = new Headers(retryAfterHeaders(args));
  const cacheControl = args.actionHeaders.get("Cache-Control");
  if (cacheControl) headers.set("Cache-Control", cacheControl);
  return headers;
};

/** 200 with the key; 400 unconfirmed, 404/409 from `rotateIngestKey`, 429 with Retry-After past 10 an hour per person. */
export async function rotationAction(
  db: Database,
  form: FormData,
  input: { instanceId: string; accountId: string; by: KeyRotator; appUrl: string },
) {
  const parsed = confirmation.safeParse(Object.fromEntries(form));
  if (!parsed.success)
    return data<RotationAnswer>({ ok: false, message: parsed.error.issues[0]!.message }, { status: 400 });
  const limit = await consumeRateLimit(db, "ingestKeyRotation", input.by.id);
  if (!limit.allowed)
    return tooManyRequests<RotationAnswer>(
      { ok: false, message: `You rotated keys several times this hour. ${tryAgainIn(limit.retryAfterSeconds)}` },
      limit.retryAfterSeconds,
    );
  const result = await rotateIngestKey(db, { ...input, first: parsed.data.mode === "first" });
  if (!result.ok) return data<RotationAnswer>({ ok: false, message: result.message }, { status: result.status });
  const { key, prefix, previousPrefix } = result;
  return data<RotationAnswer>({ ok: true, key, prefix, previousPrefix }, { headers: { "Cache-Control": "no-store" } });
}
