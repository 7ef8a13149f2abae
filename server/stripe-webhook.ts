import type { IncomingMessage, ServerResponse } from "node:http";
import type Stripe from "stripe";
import type { Logger } from "../app/lib/logger.server";
import type { Sql } from "../db/client";
import { StripeInbox } from "../app/modules/billing/inbox.server";

type Options = { sql: Sql; stripe: Stripe; secret: string; logger: Logger };

const MAX_BODY_BYTES = 1024 * 1024;
const answers = {
  new: JSON.stringify({ received: true, duplicate: false }),
  duplicate: JSON.stringify({ received: true, duplicate: true }),
  badSignature: JSON.stringify({ error: "invalid signature" }),
  tooLarge: JSON.stringify({ error: "body too large" }),
  notStored: JSON.stringify({ error: "not stored, send it again" }),
};

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
  logger,
}: Options): (req: IncomingMessage, res: ServerResponse) => void {
  const inbox = new StripeInbox(sql);
  const log = logger.child({ component: "stripe-webhook" });
  return (req, res) => {
    readBody(req, MAX_BODY_BYTES)
      .then(async (body) => {
        if (body === null) return answer(res, 413, answers.tooLarge);
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(body, req.headers["stripe-signature"] ?? "", secret);
        } catch (error) {
          log.warn(
            { reason: (error instanceof Error ? error.message : String(error)).split("\n")[0] },
            "refused a webhook",
          );
          return answer(res, 400, answers.badSignature);
        }
        answer(res, 200, answers[await inbox.receive(event.id, body)]);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, "could not store a webhook");
        if (!res.headersSent) answer(res, 500, answers.notStored);
      });
  };
}

/** The body as text, or null once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return chunks.push(chunk);
      req.removeAllListeners("data").pause();
      resolve(null);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size).toString("utf8")));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}
