import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addJob } from "../../db/jobs";
import { createLogger } from "../../app/lib/logger.server";
import { STRIPE_EVENT_TASK } from "../../app/modules/billing/events.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { queueEmail } from "../../app/modules/email/outbox.server";
import { startWorker } from "../../server/worker";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let hanging: { server: Server; sockets: Set<Socket>; url: string };

/** Accepts TCP connections and never says a word: no SMTP greeting, ever. */
async function startHangingSmtpServer() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, sockets, url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  database = await createTestDatabase();
  hanging = await startHangingSmtpServer();
});
afterAll(async () => {
  for (const socket of hanging.sockets) socket.destroy();
  await new Promise((resolve) => hanging.server.close(resolve));
  await dropTestDatabase(database);
});

async function pendingJobs(task: string): Promise<number> {
  const [row] = await database.sql<{ count: number }[]>`
    select count(*)::int as count from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = ${task}`;
  return row!.count;
}

describe("a mail server that accepts connections but never answers", () => {
  it("does not hold up Stripe events: mail waits in its own lane and its attempts time out", async () => {
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 10; i++)
        await queueEmail(tx, { to: `customer${i}@example.test`, subject: `Receipt ${i}`, text: "Thank you." });
    });
    const worker = await startWorker({
      databaseUrl: database.url,
      logger: createLogger("silent"),
      smtpUrl: hanging.url,
      mailFrom: "Portal <no-reply@portal.test>",
      appUrl: "https://portal.test",
      sessionSecret: "mail-lane-test-secret-0123456789abcdef",
      stripe: createStripeClient({ emulatorPort: 9 }),
    });
    try {
      // Let the emails take whatever slots they get before the events arrive, as in production.
      await expect.poll(() => hanging.sockets.size, { timeout: 10_000 }).toBeGreaterThan(0);
      const queuedAt = Date.now();
      await database.db.transaction(async (tx) => {
        // Events the portal has no record of: each job is a quick look-up, like a duplicate delivery.
        for (let i = 0; i < 80; i++) await addJob(tx, STRIPE_EVENT_TASK, { eventId: `evt_lane_${i}` });
      });
      await expect.poll(() => pendingJobs(STRIPE_EVENT_TASK), { timeout: 40_000, interval: 50 }).toBe(0);
      const delayMs = Date.now() - queuedAt;
      console.info(
        `80 Stripe events behind 10 emails to a hanging mail server: all applied ${delayMs} ms after queueing`,
      );
      expect(delayMs).toBeLessThan(5_000);

      // Mail's own attempts give up after the short SMTP timeouts (10 s, not 30 s) and wait for a retry.
      const failedAttempts = () => database.sql<{ took_ms: number; last_error: string; retry_in_ms: number }[]>`
        select (extract(epoch from last_attempt_at - queued_at) * 1000)::float8 as took_ms, last_error,
          (extract(epoch from next_attempt_at - last_attempt_at) * 1000)::float8 as retry_in_ms
        from outgoing_emails where attempts = 1 and sent_at is null`;
      await expect.poll(async () => (await failedAttempts()).length, { timeout: 20_000, interval: 200 }).toBe(2);
      for (const attempt of await failedAttempts()) {
        expect(attempt.took_ms).toBeLessThan(15_000);
        // Which of the short timeouts fires first depends on the machine's load: greeting, or the socket.
        expect(attempt.last_error).toMatch(/greeting|timeout/i);
        expect(attempt.retry_in_ms).toBeGreaterThan(1_000);
      }
    } finally {
      for (const socket of hanging.sockets) socket.destroy();
      await worker.stop(8_000);
    }
  }, 60_000);
});
