import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { receiveStripeEvents } from "../../app/modules/billing/inbox.server";
import { processStripeEvent } from "../../app/modules/billing/process-event.server";
import { staffOverview } from "../../app/modules/accounts/staff-overview.server";
import { stripeEvents } from "../../db/schema";
import { APP_URL, withBillingFixture, type BillingFixture } from "../support/billing";

let fixture: BillingFixture;
withBillingFixture((ready) => (fixture = ready));

const eventAbout = (id: string, type: string, objectId: string) =>
  JSON.stringify({ id, object: "event", type, livemode: false, data: { object: { id: objectId } } });

describe("an event whose object Stripe does not know", () => {
  it("is marked unprocessable once, with the reason, shown to staff, and not retried", async () => {
    const { database, stripe } = fixture;
    const deps = { db: database.db, stripe, appUrl: APP_URL };
    const events = [
      ["evt_unknown_subscription", "customer.subscription.updated", "sub_of_another_account"],
      ["evt_unknown_invoice", "invoice.payment_failed", "in_of_another_account"],
      ["evt_unknown_session", "checkout.session.completed", "cs_of_another_account"],
    ] as const;
    await receiveStripeEvents(
      database.sql,
      events.map(([id, type, objectId]) => eventAbout(id, type, objectId)),
    );

    for (const [id, , objectId] of events) {
      // The job ends (it would otherwise fail and be retried 25 times over days), twice as well as once.
      await expect(processStripeEvent(deps, id)).resolves.toBeUndefined();
      await expect(processStripeEvent(deps, id)).resolves.toBeUndefined();
      const [row] = await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, id));
      expect(row!.processedAt).not.toBeNull();
      expect(row!.unprocessableReason).toMatch(new RegExp(`^Stripe has no ${objectId}: `));
    }

    const { unprocessableEvents } = await staffOverview(database.db, new Date(0));
    expect(unprocessableEvents.map((event) => event.id).sort()).toEqual(events.map(([id]) => id).sort());
  });
});
