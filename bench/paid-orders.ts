import type Stripe from "stripe";
import { startCheckout } from "../app/modules/orders/checkout.server";
import type { DbHandle } from "../db/client";
import { memberships, organisations, users } from "../db/schema";
import { signatureHeader, type StripeEmulator } from "../stripe-emulator";
import { submitCheckoutForm } from "../stripe-emulator/hosted-forms";
import { inParallel } from "./parallel";

type Target = {
  database: DbHandle;
  /** The portal's own client for the emulator this process runs. */
  stripe: Stripe;
  emulator: StripeEmulator;
  portalUrl: string;
  webhookSecret: string;
};

type PaidOrder = { requestKey: string; completed: Stripe.Event };

const DELIVERIES_PER_SECOND = 10;
const POLL_MS = 2;
const TIMEOUT_MS = 60_000;

/**
 * Milliseconds from delivering a signed `checkout.session.completed` to the portal until the
 * order's provisioning request is committed, for `count` orders opened as the portal opens them and
 * paid with 4242 on the emulator's hosted page, delivered at 10 a second (about half what the
 * worker gets through: each order also runs its provisioning and emails). This covers intake, the
 * job's pickup, its re-fetch of the session from the emulator and the transaction. Both ends are
 * read on this process's clock: the commit is the first poll (every 2 ms) that sees the row.
 */
export async function paidEventToRequestMs(target: Target, count = 200): Promise<number[]> {
  const orders = await payOrders(target, count);
  const sentAt = new Map<string, number>();
  const deliveries: Promise<void>[] = [];
  const started = performance.now();
  const sending = (async () => {
    for (const [i, order] of orders.entries()) {
      const wait = started + (i * 1000) / DELIVERIES_PER_SECOND - performance.now();
      if (wait > 0) await sleep(wait);
      const body = JSON.stringify(order.completed, null, 2);
      const signature = signatureHeader(body, target.webhookSecret, Math.floor(Date.now() / 1000));
      sentAt.set(order.requestKey, performance.now());
      deliveries.push(deliver(`${target.portalUrl}/webhooks/stripe`, body, signature));
    }
  })();
  const committedAt = await pollCommits(target.database, sentAt, orders.length);
  await sending;
  await Promise.all(deliveries);
  return orders
    .map((order) => committedAt.get(order.requestKey)! - sentAt.get(order.requestKey)!)
    .sort((a, b) => a - b);
}

/** Buyers, their checkouts opened by the portal's own code, then paid: Stripe has recorded each completion. */
async function payOrders({ database, stripe, emulator, portalUrl }: Target, count: number): Promise<PaidOrder[]> {
  const { db } = database;
  const buyers = Array.from({ length: count }, (_, i) => ({
    email: `bench-buyer-${i}@bench.test`,
    name: `Bench buyer ${i}`,
  }));
  const people = await db
    .insert(users)
    .values(buyers.map((buyer) => ({ ...buyer, passwordHash: "x" })))
    .returning({ id: users.id });
  const accounts = await db
    .insert(organisations)
    .values(buyers.map((buyer) => ({ name: `${buyer.name} Org` })))
    .returning({ id: organisations.id });
  await db
    .insert(memberships)
    .values(
      people.map((person, i) => ({ organisationId: accounts[i]!.id, userId: person.id, role: "owner" as const })),
    );

  await inParallel(8, count, async (i) => {
    const checkout = await startCheckout(
      { db, stripe, appUrl: portalUrl },
      { accountId: accounts[i]!.id, userId: people[i]!.id, planSlug: "team", interval: "month", seats: 3 },
    );
    if (!checkout.ok) throw new Error(`checkout refused: ${checkout.message}`);
    const paid = await submitCheckoutForm(checkout.url, { card_number: "4242424242424242" });
    if (paid.status !== 303) throw new Error(`payment refused: ${paid.status}`);
  });
  return emulator
    .events()
    .filter((event) => event.type === "checkout.session.completed")
    .map((completed) => ({
      requestKey: `order:${(completed.data.object as Stripe.Checkout.Session).client_reference_id}`,
      completed,
    }));
}

async function deliver(url: string, body: string, signature: string): Promise<void> {
  const answer = await fetch(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "Stripe-Signature": signature },
  });
  if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${await answer.text()}`);
}

/** When each sent key's provisioning request became visible: the start of the first poll that saw it. */
async function pollCommits(
  { sql }: DbHandle,
  sentAt: Map<string, number>,
  expected: number,
): Promise<Map<string, number>> {
  const committedAt = new Map<string, number>();
  const deadline = performance.now() + TIMEOUT_MS;
  while (committedAt.size < expected) {
    if (performance.now() > deadline)
      throw new Error(`only ${committedAt.size} of ${expected} provisioning requests appeared`);
    const waiting = [...sentAt.keys()].filter((key) => !committedAt.has(key));
    const polledAt = performance.now();
    if (waiting.length) {
      const rows = await sql<
        { key: string }[]
      >`select idempotency_key as key from provisioning_requests where idempotency_key in ${sql(waiting)}`;
      for (const { key } of rows) committedAt.set(key, polledAt);
    }
    await sleep(POLL_MS);
  }
  return committedAt;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
