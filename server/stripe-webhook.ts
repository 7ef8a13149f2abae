import type { IncomingMessage, ServerResponse } from "node:http";
import type Stripe from "stripe";
import { z } from "zod";
import type { Logger } from "../app/lib/logger.server";
import type { Sql } from "../db/client";
import { StripeInbox } from "../app/modules/billing/inbox.server";
import { isDatabaseUnavailable } from "../db/unavailable";
import { RETRY_AFTER_SECONDS } from "../app/lib/unavailable.server";
import { BODY_LIMITS, readLimitedBody, refuseTooLarge } from "./request-body";

type Options = {
  sql: Sql;
  stripe: Stripe;
  secret: string;
  /** The mode of the portal's key: events from the other mode are refused (see isLiveKey). */
  livemode: boolean;
  logger: Logger;
};

/** Stripe's own tolerance for a signature's age, applied to the future as well (the SDK only checks the past). */
const TOLERANCE_SECONDS = 300;

const answers = {
  new: JSON.stringify({ received: true, duplicate: false }),
  duplicate: JSON.stringify({ received: true, duplicate: true }),
  badSignature: JSON.stringify({ error: "invalid signature" }),
  notStored: JSON.stringify({ error: "not stored, send it again" }),
  notAnEvent: JSON.stringify({ error: "not a Stripe event: it needs an id (evt_…), a type, livemode and data.object" }),
  otherMode: JSON.stringify({ error: "an event of the other mode (live or test) than this endpoint's key" }),
};

/** The envelope every Stripe event has (Stripe API: the Event object); the rest is read when the event is applied. */
const eventEnvelope = z.object({
  id: z.string().regex(/^evt_\w+$/),
  type: z.string().min(1),
  livemode: z.boolean(),
  data: z.object({ object: z.looseObject({}) }),
});

/**
 * Stripe's webhooks, answered with Node's own request and response, before any middleware: a hot
 * path with nothing to render. The signature is checked on the raw body (a bad or stale one gets
 * 400 and nothing is stored); the event goes to the inbox with its job, in a transaction shared
 * with the deliveries that arrive meanwhile, and the 200 is sent once that has committed. Accepted
 * deliveries are not logged: their inbox rows are the record.
 */
export function stripeWebhook({
  sql,
  stripe,
  secret,
  livemode,
  logger,
}: Options): (req: IncomingMessage, res: ServerResponse) => void {
  const inbox = new StripeInbox(sql);
  const log = logger.child({ component: "stripe-webhook" });
  return (req, res) => {
    readLimitedBody(req, BODY_LIMITS.callback)
      .then(async (buffer) => {
        if (buffer === null) return refuseTooLarge(res, BODY_LIMITS.callback, "application/json");
        const body = buffer.toString("utf8");
        const header = String(req.headers["stripe-signature"] ?? "");
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(body, header, secret, TOLERANCE_SECONDS);
          if (signedAt(header) > Date.now() / 1000 + TOLERANCE_SECONDS) throw new Error("signed in the future");
        } catch (error) {
          log.warn(
            { reason: (error instanceof Error ? error.message : String(error)).split("\n")[0] },
            "refused a webhook",
          );
          return answer(res, 400, answers.badSignature);
        }
        const envelope = eventEnvelope.safeParse(event);
        if (!envelope.success) return answer(res, 400, answers.notAnEvent);
        if (envelope.data.livemode !== livemode) {
          log.warn(
            { eventId: envelope.data.id, livemode: envelope.data.livemode },
            "refused an event of the other mode",
          );
          return answer(res, 400, answers.otherMode);
        }
        answer(res, 200, answers[await inbox.receive(envelope.data.id, body)]);
      })
      .catch((error: unknown) => {
        if (res.headersSent) return;
        // Stripe retries any answer but a 2xx: while the database is away, say when to come back.
        if (isDatabaseUnavailable(error)) {
          log.warn({ reason: String(error) }, "could not store a webhook: the database is unavailable");
          return answer(res, 503, answers.notStored, { "Retry-After": RETRY_AFTER_SECONDS });
        }
        log.error({ err: error }, "could not store a webhook");
        answer(res, 500, answers.notStored);
      });
  };
}

/** The `t=` of a Stripe-Signature header, in seconds since the epoch (0 when absent). */
function signedAt(header: string): number {
  return Number(/(?:^|,)t=(\d+)/.exec(header)?.[1] ?? 0);
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers })
    .end(body);
}
