import { Logger as WorkerLogger, type TaskList } from "graphile-worker";
import nodemailer from "nodemailer";
import type Stripe from "stripe";
import { z } from "zod";
import { STRIPE_EVENT_TASK } from "../app/modules/billing/events.server";
import { STRIPE_CUSTOMER_SYNC_TASK, syncStripeCustomer } from "../app/modules/billing/customer-sync.server";
import { processStripeEvent } from "../app/modules/billing/process-event.server";
import { reconcileBilling } from "../app/modules/billing/reconcile.server";
import { sweepEndedSubscriptions } from "../app/modules/billing/retention.server";
import type { Logger } from "../app/lib/logger.server";
import { SEND_EMAIL_TASK } from "../app/modules/email/outbox.server";
import { sendOutgoingEmail } from "../app/modules/email/send.server";
import { sweepLifecycleEmails } from "../app/modules/email/lifecycle.server";
import { queueSetupCompleteEmails } from "../app/modules/email/setup-complete.server";
import { notifyStaffOfOverdueRequests } from "../app/modules/email/sla-notice.server";
import { sendStaffDigests, STAFF_DIGEST_TASK } from "../app/modules/email/staff-digest.server";
import { sweepTrials } from "../app/modules/trials/lifecycle.server";
import { activationPayload, recordMilestones } from "../app/modules/usage/activation.server";
import { maintainUsagePartitions } from "../app/modules/usage/partitions.server";
import { rollUpUsage } from "../app/modules/usage/rollup.server";
import {
  ACTIVATION_TASK,
  LIFECYCLE_EMAILS_TASK,
  USAGE_PARTITIONS_TASK,
  USAGE_ROLLUP_TASK,
} from "../app/modules/usage/tasks";
import { issueIngestKey } from "../app/modules/usage/ingest-keys.server";
import { DEMO_USAGE_REPORT_TASK, sendUsageReport } from "../app/modules/demo/usage-report.server";
import { refreshAccounts, refreshAllAccounts } from "../app/modules/success/refresh.server";
import {
  CS_QUEUE,
  CS_RECOMPUTE_HISTORY_TASK,
  CS_REFRESH_ACCOUNT_TASK,
  CS_REFRESH_ALL_TASK,
} from "../app/modules/success/tasks";
import { recomputeHistory } from "../app/modules/success/weights.server";
import { connectDb, type DbHandle } from "../db/client";
import { addJob } from "../db/jobs";
import { workerConnectionString } from "../db/worker-connection";
import {
  CALLBACK_SWEEP_TASK,
  createDemoProvisioner,
  createHttpProvisioner,
  manualProvisioner,
  ProvisionerRegistry,
  provisioningTasks,
} from "../provisioning";
import { waitOutOutages } from "./outage-wait";
import {
  carryForward,
  METRICS_CARRY_TASK,
  METRICS_QUEUE,
  METRICS_ROLLUP_TASK,
  rollUpAccount,
} from "../app/modules/metrics/rollup.server";
import { startLane } from "./worker-lane";

type WorkerOptions = {
  databaseUrl: string;
  logger: Logger;
  smtpUrl: string;
  mailFrom: string;
  appUrl: string;
  /** Signs the unsubscribe links of lifecycle emails, as the web server checks them (its session secret). */
  sessionSecret: string;
  provisionerHttpSecret?: string;
  stripe: Stripe;
  concurrency?: number;
};

type TaskOptions = Omit<WorkerOptions, "logger" | "concurrency" | "databaseUrl"> & { database: DbHandle };

/**
 * Limits for one SMTP attempt, in ms (nodemailer waits 30 s for a greeting, 2 min to connect, 10 min
 * for a silent socket): a mail server that hangs costs one short failed attempt, retried later.
 */
const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 };
/** Emails sent at once; a hanging mail server holds at most these slots, none of the main runner's. */
const MAIL_CONCURRENCY = 2;

/** Keys the provisioning run issues are the system's: no person asked for them. */
const systemIssuer = { type: "system", id: null } as const;

const eventPayload = z.object({ eventId: z.string().min(1) });
const customerSyncPayload = z.object({ accountId: z.uuid() });
const accountPayload = z.object({ accountId: z.uuid() });

/** Scheduled sweeps; `?max=1` skips runs missed while no worker was up instead of replaying them all. */
const crontab = [
  "* * * * * trials_sweep ?max=1",
  "*/5 * * * * provisioning_sla_sweep ?max=1",
  `* * * * * ${CALLBACK_SWEEP_TASK} ?max=1`,
  "17 * * * * subscriptions_retention_sweep ?max=1",
  "40 3 * * * billing_reconcile ?max=1",
  `* * * * * ${USAGE_ROLLUP_TASK} ?max=1`,
  `10 0 * * * ${USAGE_PARTITIONS_TASK} ?max=1`,
  `*/10 * * * * ${LIFECYCLE_EMAILS_TASK} ?max=1`,
  `0 6 * * * ${STAFF_DIGEST_TASK} ?max=1`,
  // Hourly, in the customer-success queue so it never overlaps an account's refresh or a recompute.
  `5 * * * * ${CS_REFRESH_ALL_TASK} ?max=1&queue=${CS_QUEUE}`,
  // Daily, so a month that began while no worker was up is filled the next day at the latest.
  `15 0 * * * ${METRICS_CARRY_TASK} ?max=1&queue=${METRICS_QUEUE}`,
].join("\n");

/** Which tasks the main runner runs: every job the portal queues, but mail, has its handler here. */
export function taskList({ database, appUrl, sessionSecret, provisionerHttpSecret, stripe }: TaskOptions): TaskList {
  return {
    [STRIPE_EVENT_TASK]: async (payload) =>
      processStripeEvent({ db: database.db, stripe, appUrl }, eventPayload.parse(payload).eventId),
    [STRIPE_CUSTOMER_SYNC_TASK]: async (payload) =>
      syncStripeCustomer({ db: database.db, stripe }, customerSyncPayload.parse(payload).accountId),
    [ACTIVATION_TASK]: async (payload) => {
      await recordMilestones(database.db, activationPayload.parse(payload).instanceIds);
    },
    trials_sweep: async () => {
      await sweepTrials(database.db, appUrl);
    },
    provisioning_sla_sweep: async () => {
      await notifyStaffOfOverdueRequests(database.db, appUrl);
    },
    [LIFECYCLE_EMAILS_TASK]: async () => {
      await sweepLifecycleEmails({ db: database.db, appUrl, secret: sessionSecret });
    },
    [STAFF_DIGEST_TASK]: async () => {
      await sendStaffDigests(database.db, appUrl, new Date());
    },
    subscriptions_retention_sweep: async () => {
      await sweepEndedSubscriptions(database.db);
    },
    billing_reconcile: async (_payload, helpers) => {
      const { checked, repaired } = await reconcileBilling(database.db, stripe);
      helpers.logger.info(
        `billing reconciliation: ${checked} subscriptions checked, repaired ${repaired.length}: ${repaired.join(", ") || "none"}`,
      );
    },
    [USAGE_ROLLUP_TASK]: async () => {
      await rollUpUsage(database.db);
    },
    [USAGE_PARTITIONS_TASK]: async (_payload, helpers) => {
      const { created, dropped } = await maintainUsagePartitions(database.db);
      if (created > 0 || dropped.length > 0) {
        helpers.logger.info(`usage partitions: ${created} created, dropped ${dropped.join(", ") || "none"}`);
      }
    },
    [CS_REFRESH_ALL_TASK]: async (_payload, helpers) => {
      const started = Date.now();
      const { accounts } = await refreshAllAccounts(database.db, new Date());
      helpers.logger.info(`customer success: ${accounts} accounts refreshed in ${Date.now() - started} ms`);
    },
    [CS_REFRESH_ACCOUNT_TASK]: async (payload) => {
      await refreshAccounts(database.db, [accountPayload.parse(payload).accountId], new Date());
    },
    [CS_RECOMPUTE_HISTORY_TASK]: async (_payload, helpers) => {
      const { snapshots, version } = await recomputeHistory(database.db, new Date());
      helpers.logger.info(`customer success: ${snapshots} snapshots re-scored with weights version ${version}`);
    },
    [METRICS_ROLLUP_TASK]: async (payload) => {
      const { accountId } = accountPayload.parse(payload);
      await database.db.transaction((tx) => rollUpAccount(tx, accountId, new Date()));
    },
    [METRICS_CARRY_TASK]: async (_payload, helpers) => {
      const added = await database.db.transaction((tx) => carryForward(tx, new Date()));
      if (added > 0) helpers.logger.info(`metrics: ${added} paying account-months carried forward`);
    },
    [DEMO_USAGE_REPORT_TASK]: async (payload, helpers) => {
      await sendUsageReport({ db: database.db, appUrl, warn: (message) => helpers.logger.warn(message) }, payload);
    },
    ...provisioningTasks(database.db, {
      registry: provisionerRegistry(database, appUrl, provisionerHttpSecret),
      callbackUrl: (requestId) => `${appUrl}/provisioning/callbacks/${requestId}`,
      onSucceeded: (tx, request) => queueSetupCompleteEmails(tx, appUrl, request),
      issueIngestKey: async (tx, instanceId) => (await issueIngestKey(tx, instanceId, systemIssuer)).key,
    }),
  };
}

/** The mail lane's only task: a runner fetches only the tasks it knows, so mail never takes a main slot. */
export function mailTaskList({
  database,
  smtpUrl,
  mailFrom,
  appUrl,
  logger,
}: Pick<TaskOptions, "database" | "smtpUrl" | "mailFrom" | "appUrl"> & { logger: Logger }): TaskList {
  const transport = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS_MS });
  const deps = { db: database.db, transport, from: mailFrom, messageIdDomain: new URL(appUrl).hostname, logger };
  return { [SEND_EMAIL_TASK]: (payload) => sendOutgoingEmail(deps, payload) };
}

/** The installed provisioners. A new one is a file in provisioning/provisioners/ and a line here. */
export function provisionerRegistry(database: DbHandle, appUrl: string, httpSecret?: string): ProvisionerRegistry {
  return new ProvisionerRegistry([
    createDemoProvisioner(database.db, appUrl),
    manualProvisioner,
    ...(httpSecret ? [createHttpProvisioner({ secret: httpSecret })] : []),
  ]);
}

export type Worker = {
  /**
   * Stops fetching at once (jobs fetched but not started go back to the queue) and waits up to
   * `timeoutMs` for running jobs; jobs still running then are released: their locks freed so another
   * worker takes them at once (they are safe to run again). Never rejects.
   */
  stop: (timeoutMs: number) => Promise<void>;
};

/**
 * Jobs fetched in batches and completions batched: far fewer statements under a burst (ADR 9).
 * Safe because every task may run twice (a crash before a completion batch commits repeats it).
 */
export function batchedJobsPreset(concurrency: number) {
  return { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0 } };
}

/**
 * graphile-worker in this process, with its own pool whose commits do not wait for the disk:
 * every task is safe to redo, so a crash costs a repeat, not a loss. Two lanes (`startLane`): the
 * main one, and mail in a lane of its own so a slow or hanging mail server delays only mail (issue
 * 12, case 6). Each is supervised through database losses and announced by a heartbeat (ADR 6);
 * a job that loses the database waits for it instead of spending an attempt (`waitOutOutages`).
 * Resolves once both runners have started.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const log = options.logger.child({ component: "worker" });
  const database = connectDb(options.databaseUrl, { max: 10, relaxedCommits: true });
  const concurrency = options.concurrency ?? 5;
  // Once a lane's jobs are released at a stop, their failures (a closed pool) are expected, not errors.
  let released = false;
  const common = {
    connectionString: workerConnectionString(options.databaseUrl),
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method =
        released || level === "debug" ? "debug" : level === "warning" ? "warn" : level === "error" ? "error" : "info";
      log[method](meta ?? {}, message);
    }),
  };
  const lane = { databaseUrl: options.databaseUrl, database, onReleased: () => (released = true) };
  const main = await startLane({
    ...lane,
    log,
    runner: {
      ...common,
      concurrency,
      preset: batchedJobsPreset(concurrency),
      taskList: waitOutOutages(taskList({ ...options, database }), database.db, log),
      crontab,
    },
  });
  const mailLog = log.child({ lane: "mail" });
  const mail = await startLane({
    ...lane,
    log: mailLog,
    runner: {
      ...common,
      concurrency: MAIL_CONCURRENCY,
      maxPoolSize: MAIL_CONCURRENCY + 2,
      taskList: waitOutOutages(mailTaskList({ ...options, database, logger: mailLog }), database.db, mailLog),
    },
  }).catch(async (error: unknown) => {
    await main.stop(0);
    await database.close();
    throw error;
  });
  // Partitions also once at each start, not only daily: a worker that was down over a month's turn
  // still has next months' partitions before an insert needs them. The key keeps one job when many start.
  await addJob(database.db, USAGE_PARTITIONS_TASK, {}, { jobKey: USAGE_PARTITIONS_TASK }).catch((error: unknown) =>
    log.warn({ err: error }, "could not queue the usage partitions job at start; the daily run will do it"),
  );
  return {
    stop: async (timeoutMs) => {
      await Promise.all([main.stop(timeoutMs), mail.stop(timeoutMs)]);
      await database.sql.end({ timeout: released ? 0 : 5 });
    },
  };
}
