import getPort from "get-port";
import { Logger, run } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { staffOverview } from "../../app/modules/accounts/staff-overview.server";
import { queueEmail, scheduleSending } from "../../app/modules/email/outbox.server";
import { MAX_RETRY_DELAY_MS } from "../../app/modules/email/send.server";
import { startMailCatcher, type MailCatcher } from "../../server/mail-catcher";
import { mailTaskList } from "../../server/worker";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

const DAY_MS = 24 * 60 * 60 * 1000;
const RECIPIENTS = [1, 2, 3, 4, 5].map((i) => `customer${i}@example.test`);

let database: TestDatabase;
let catcher: MailCatcher | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await catcher?.stop();
  await dropTestDatabase(database);
});

type Attempt = { to: string; attempts: number; wait_ms: number };

/** Unsent emails with the wait their last failure scheduled, in ms. */
const unsent = () =>
  database.sql<Attempt[]>`
    select "to", attempts, (extract(epoch from next_attempt_at - last_attempt_at) * 1000)::float8 as wait_ms
    from outgoing_emails where sent_at is null order by "to"`;

/** Jobs that would still send an email. */
const sendJobs = async () =>
  (
    await database.sql`select 1 from graphile_worker._private_jobs j join graphile_worker._private_tasks t
      on t.id = j.task_id where t.identifier = 'send_email'`
  ).length;

/** Time passes: every waiting email (row and job) is due now, as if its wait were over. */
async function fastForward() {
  await database.sql`update outgoing_emails set next_attempt_at = now() where sent_at is null`;
  await database.sql`update graphile_worker._private_jobs j set run_at = now()
    from graphile_worker._private_tasks t where t.id = j.task_id and t.identifier = 'send_email'`;
}

describe("a day-long mail outage", () => {
  it("keeps every email, retries at least hourly, shows them to staff, and sends each once when mail is back", async () => {
    const port = await getPort({ host: "127.0.0.1" }); // nothing listens yet: connections are refused
    await database.db.transaction(async (tx) => {
      for (const to of RECIPIENTS) await queueEmail(tx, { to, subject: "Your receipt", text: `Receipt for ${to}` });
    });
    const logLines: { level: number; msg: string }[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    const worker = await run({
      connectionString: database.url,
      concurrency: 2,
      noHandleSignals: true,
      pollInterval: 100,
      logger: new Logger(() => () => {}),
      taskList: mailTaskList({
        database,
        smtpUrl: `smtp://127.0.0.1:${port}`,
        mailFrom: "Portal <no-reply@portal.test>",
        appUrl: "https://portal.test",
        logger,
      }),
    });
    try {
      let simulatedMs = 0;
      let longestWaitMs = 0;
      for (let round = 1; simulatedMs < DAY_MS; round++) {
        await expect
          .poll(async () => (await unsent()).every((email) => email.attempts === round), { timeout: 10_000 })
          .toBe(true);
        const waits = (await unsent()).map((email) => email.wait_ms);
        expect(waits).toHaveLength(RECIPIENTS.length);
        longestWaitMs = Math.max(longestWaitMs, ...waits);
        simulatedMs += Math.max(...waits);
        if (round === 1) {
          const { undeliveredEmails } = await staffOverview(database.db, new Date());
          expect(undeliveredEmails.map((email) => email.to).sort()).toEqual(RECIPIENTS);
          expect(undeliveredEmails[0]!.lastError).toContain("ECONNREFUSED");
        }
        await fastForward();
      }
      expect(longestWaitMs).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS + 1_000);
      expect((await staffOverview(database.db, new Date())).undeliveredEmails).toHaveLength(RECIPIENTS.length);

      catcher = await startMailCatcher({ smtpPort: port });
      await fastForward();
      await expect.poll(async () => (await unsent()).length, { timeout: 10_000 }).toBe(0);
      await expect.poll(sendJobs, { timeout: 10_000 }).toBe(0);
      const delivered = catcher.messages().flatMap((mail) => mail.to);
      console.info(
        `after a simulated ${(simulatedMs / 3_600_000).toFixed(1)} h outage (longest wait ${longestWaitMs / 1000} s): ${delivered.length} of ${RECIPIENTS.length} emails delivered`,
      );
      expect(delivered.sort()).toEqual(RECIPIENTS);
      expect((await staffOverview(database.db, new Date())).undeliveredEmails).toEqual([]);

      // One error line for the whole outage, one line when it is over.
      expect(logLines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
        expect.stringContaining("Mail delivery is failing"),
      ]);
      expect(logLines.some((line) => line.msg.includes("Mail delivery works again"))).toBe(true);

      // A repeated job (a retry after a lost answer from the database) finds the email sent.
      const ids = await database.sql<{ id: string }[]>`select id from outgoing_emails`;
      for (const { id } of ids) await scheduleSending(database.db, id, new Date());
      await expect.poll(sendJobs, { timeout: 10_000 }).toBe(0);
      expect(catcher.messages()).toHaveLength(RECIPIENTS.length);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
