import type { Sql } from "#db/client";
import { STRIPE_EVENT_TASK } from "./events.server";

export type Receipt = "new" | "duplicate";

/** Bounds one statement's size; Stripe events are a few kilobytes each. */
const MAX_BATCH = 100;

/**
 * Stores verified events in the inbox, keyed by id, and queues one job per event stored, in one
 * statement (so one transaction, one commit, one add_jobs call). Each body is the JSON exactly as
 * Stripe signed it. An event already stored, or twice in the batch, is stored once. Returns the
 * ids stored now.
 */
export async function receiveStripeEvents(sql: Sql, bodies: readonly string[]): Promise<Set<string>> {
  const rows = await sql<{ id: string }[]>`
    with stored as (
      insert into stripe_events (id, type, payload)
      select event->>'id', event->>'type', event from jsonb_array_elements(${`[${bodies.join(",")}]`}::jsonb) as event
      on conflict do nothing
      returning id
    ), batch as (
      select array_agg(json_populate_record(null::graphile_worker.job_spec, json_build_object(
        'identifier', ${STRIPE_EVENT_TASK}::text, 'payload', json_build_object('eventId', id), 'max_attempts', 25))) as specs
      from stored
    )
    select job.payload->>'eventId' as id
    from batch, lateral graphile_worker.add_jobs(batch.specs) as job
    where batch.specs is not null`;
  return new Set(rows.map((row) => row.id));
}

type Delivery = { id: string; body: string; resolve: (receipt: Receipt) => void; reject: (error: unknown) => void };

/**
 * Group commit for webhook deliveries: one statement at a time stores every delivery that arrived
 * while the previous one ran, so a burst costs a few commits instead of one each. Alone, a
 * delivery is stored at once. Each caller's promise settles after its event has committed.
 */
export class StripeInbox {
  private readonly waiting: Delivery[] = [];
  private committing = false;

  constructor(private readonly sql: Sql) {}

  receive(id: string, body: string): Promise<Receipt> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, body, resolve, reject });
      this.commitWaiting();
    });
  }

  private commitWaiting(): void {
    if (this.committing || !this.waiting.length) return;
    this.committing = true;
    void this.commit(this.waiting.splice(0, MAX_BATCH)).finally(() => {
      this.committing = false;
      this.commitWaiting();
    });
  }

  private async commit(batch: Delivery[]): Promise<void> {
    let stored: Set<string>;
    try {
      stored = await receiveStripeEvents(
        this.sql,
        batch.map((delivery) => delivery.body),
      );
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // One event the database refuses must not fail the others: each goes alone.
      await Promise.all(batch.map((delivery) => this.commit([delivery])));
      return;
    }
    // The first delivery of an id stored now is new; any other is a duplicate.
    for (const delivery of batch) delivery.resolve(stored.delete(delivery.id) ? "new" : "duplicate");
  }
}
