import { Logger as WorkerLogger, run, type Runner, type TaskList } from "graphile-worker";
import nodemailer from "nodemailer";
import type { Logger } from "../app/lib/logger.server";
import { SEND_EMAIL_TASK } from "../app/modules/email/outbox.server";
import { sendQueuedEmail } from "../app/modules/email/send.server";

type WorkerOptions = {
  databaseUrl: string;
  logger: Logger;
  smtpUrl: string;
  mailFrom: string;
  concurrency?: number;
};

/** Which tasks this process runs: every job the portal queues has its handler here. */
export function taskList({ smtpUrl, mailFrom }: Pick<WorkerOptions, "smtpUrl" | "mailFrom">): TaskList {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    [SEND_EMAIL_TASK]: (payload) => sendQueuedEmail(transport, mailFrom, payload),
  };
}

/** graphile-worker in this process; stopping it lets running jobs finish. */
export async function startWorker(options: WorkerOptions): Promise<Runner> {
  const log = options.logger.child({ component: "worker" });
  return run({
    connectionString: options.databaseUrl,
    concurrency: options.concurrency ?? 5,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === "warning" ? "warn" : level === "error" ? "error" : level === "debug" ? "debug" : "info";
      log[method](meta ?? {}, message);
    }),
    taskList: taskList(options),
  });
}
