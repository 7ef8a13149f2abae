import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";

export const STRIPE_EVENT_TASK = "stripe_event";

/**
 * Stores a verified event in the inbox, keyed by its id, and queues its processing, in one
 * statement (so one transaction). A duplicate delivery finds the row and adds nothing.
 */
export async function receiveStripeEvent(db: Database, event: Stripe.Event): Promise<"new" | "duplicate"> {
  const rows = await db.execute(sql`
    with stored as (
      insert into stripe_events (id, type, payload) values (${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb)
      on conflict do nothing
      returning id
    )
    select graphile_worker.add_job(${STRIPE_EVENT_TASK}, json_build_object('eventId', id), max_attempts => 25) from stored`);
  return [...rows].length ? "new" : "duplicate";
}
