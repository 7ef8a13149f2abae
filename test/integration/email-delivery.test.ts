import getPort from "get-port";
import { Logger, run, type Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { queueEmail } from "../../app/modules/email/outbox.server";
import { startMailCatcher, type MailCatcher } from "../../server/mail-catcher";
import { mailTaskList } from "../../server/worker";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let catcher: MailCatcher;

beforeAll(async () => {
  database = await createTestDatabase();
  catcher = await startMailCatcher();
});
afterAll(async () => {
  await catcher.stop();
  await dropTestDatabase(database);
});

async function startTestWorker(smtpUrl: string): Promise<Runner> {
  return run({
    connectionString: database.url,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new Logger(() => () => {}),
    taskList: mailTaskList({
      database,
      smtpUrl,
      mailFrom: "Portal <no-reply@portal.test>",
      appUrl: "https://portal.test",
      logger: createLogger("silent"),
    }),
  });
}

describe("queued emails", () => {
  it("are sent over SMTP by the worker once their transaction commits, and not when it rolls back", async () => {
    await database.db
      .transaction(async (tx) => {
        await queueEmail(tx, { to: "rolled@back.test", subject: "Never", text: "This transaction fails." });
        throw new Error("roll back");
      })
      .catch(() => {});
    await database.db.transaction((tx) =>
      queueEmail(tx, { to: "kim@example.test", subject: "Hello Kim", text: "Body for Kim" }),
    );

    const worker = await startTestWorker(catcher.smtpUrl);
    try {
      const mail = await catcher.waitFor((m) => m.to.includes("kim@example.test"));
      expect(mail).toMatchObject({ subject: "Hello Kim", from: expect.stringContaining("no-reply@portal.test") });
      expect(mail.text.trim()).toBe("Body for Kim");
    } finally {
      await worker.stop();
    }
    expect(catcher.messages().some((m) => m.to.includes("rolled@back.test"))).toBe(false);
  });

  it("stay queued with the error recorded, for a later retry, while the mail server is down", async () => {
    await database.db.transaction((tx) =>
      queueEmail(tx, { to: "later@example.test", subject: "Retry me", text: "Body" }),
    );
    const closedPort = await getPort({ host: "127.0.0.1" });
    const worker = await startTestWorker(`smtp://127.0.0.1:${closedPort}`);
    try {
      await expect
        .poll(
          async () => {
            const [email] = await database.sql<{ attempts: number; last_error: string | null }[]>`
              select attempts, last_error from outgoing_emails where "to" = 'later@example.test' and sent_at is null`;
            return email;
          },
          { timeout: 10_000 },
        )
        .toMatchObject({ attempts: 1, last_error: expect.stringContaining("ECONNREFUSED") });
    } finally {
      await worker.stop();
    }
  });
});
