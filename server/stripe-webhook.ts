import express, { type RequestHandler } from "express";
import type Stripe from "stripe";
import type { Database } from "../db/client";
import { receiveStripeEvent } from "../app/modules/billing/events.server";

/**
 * Stripe's webhooks, served before Remix: this is a hot path with no page to render. The
 * signature is checked on the raw body (a bad or stale one gets 400 and nothing is stored); the
 * event goes to the inbox with its job in one statement; the answer comes at once.
 */
export function stripeWebhook({ db, stripe, secret }: { db: Database; stripe: Stripe; secret: string }): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit: "1mb" }),
    (req, res, next) => {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(req.body as Buffer, req.get("stripe-signature") ?? "", secret);
      } catch {
        res.status(400).json({ error: "invalid signature" });
        return;
      }
      receiveStripeEvent(db, event)
        .then((received) => res.json({ received: true, duplicate: received === "duplicate" }))
        .catch(next);
    },
  ];
}
