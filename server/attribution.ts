import type { RequestHandler } from "express";
import { parse, serialize } from "cookie";
import {
  ATTRIBUTION_COOKIE,
  ATTRIBUTION_MAX_AGE_SECONDS,
  encodeAttribution,
  firstTouch,
} from "../app/modules/qualification/attribution.server";
import { portalUrlOf } from "./portal-host";

/** Records the first visit's UTM tags and external referrer in a first-party cookie; runs after portalHost. */
export function attributionCookie({ secure }: { secure: boolean }): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" && req.accepts("html") && !req.path.startsWith("/assets/")) {
      const existing = parse(req.headers.cookie ?? "")[ATTRIBUTION_COOKIE];
      const record = firstTouch(portalUrlOf(res), req.get("referer"), existing, new Date());
      if (record) {
        res.append(
          "Set-Cookie",
          serialize(ATTRIBUTION_COOKIE, encodeAttribution(record), {
            httpOnly: true,
            sameSite: "lax",
            secure,
            path: "/",
            maxAge: ATTRIBUTION_MAX_AGE_SECONDS,
          }),
        );
      }
    }
    next();
  };
}
