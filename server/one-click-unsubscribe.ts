import type { RequestHandler } from "express";
import type { Database } from "../db/client";
import { chooseWithLink, oneClickSchema } from "../app/modules/email/unsubscribes.server";
import { bufferedBody } from "./request-body";
import { isSameOrigin, refuseCrossSite } from "./same-origin";

/**
 * RFC 8058 one-click unsubscribes posted from another origin: `POST /unsubscribe/<token>` with the
 * form body `List-Unsubscribe=One-Click`, no cookies, an Origin not ours. Remix refuses every
 * cross-origin action (its CSRF check), so such a POST is answered here, through the same
 * `chooseWithLink` as the page (200, 400, or 429 with Retry-After, each with a sentence); any other
 * cross-origin body is refused as `sameOriginMutations` would. Same-origin POSTs, and those without
 * an Origin or Referer (a mail provider's server), go on to the page's action. Mount it after
 * `limitedBodies` (the body is read and bounded there).
 */
export function oneClickUnsubscribe({ db, secret }: { db: Database; secret: string }): RequestHandler {
  return (req, res, next) => {
    if (isSameOrigin(req) || (!req.get("origin") && !req.get("referer"))) return next();
    const answer = async () => {
      const form = await new Response(bufferedBody(req), {
        headers: { "content-type": req.get("content-type") ?? "" },
      })
        .formData()
        .catch(() => null);
      if (!form || !oneClickSchema.safeParse(Object.fromEntries(form)).success) return refuseCrossSite(res);
      const result = await chooseWithLink(db, secret, String(req.params.token), false);
      if (!result.ok && result.limited) res.set("Retry-After", String(Math.max(1, result.retryAfterSeconds)));
      res
        .status(result.ok ? 200 : result.limited ? 429 : 400)
        .type("text/plain")
        .send(result.ok ? "You are unsubscribed from these emails." : result.message);
    };
    answer().catch(next);
  };
}
