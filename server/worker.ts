import { EventEmitter } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { Logger as WorkerLogger, run, type Runner, type TaskList, type WorkerEvents } from "graphile-worker";
import nodemailer from "nodemailer";
import type Stripe from "stripe";
import { z } from "zod";
import { STRIPE_EVENT_TASK } from "../app/modules/billing/events.server";
import { processStripeEvent } from "../app/modules/billing/process-event.server";
import { reconcileBilling } from "../app/modules/billing/reconcile.server";
import { sweepEndedSubscriptions } from "../app/modules/billing/retention.server";
import type { Logger } from "../app/lib/logger.server";
import { SEND_EMAIL_TASK } from "../app/modules/email/outbox.server";
import { sendQueuedEmail } from "../app/modules/email/send.server";
import { queueSetupCompleteEmails } from "../app/modules/email/setup-complete.server";
import { notifyStaffOfOverdueRequests } from "../app/modules/email/sla-notice.server";
import { sweepTrials } from "../app/modules/trials/lifecycle.server";
import { connectDb, type DbHandle } from "../db/client";
import { workerConnectionString } from "../db/worker-connection";
import {
  CALLBACK_SWEEP_TASK,
  createDemoProvisioner,
  createHttpProvisioner,
  manualProvisioner,
  ProvisionerRegistry,
  provisioningTasks,
  releaseWorkerJobs,
} from "../provisioning";
import { startHeartbeat, type Heartbeat } from "./worker-liveness";

type WorkerOptions = {
  databaseUrl: string;
  logger: Logger;
  smtpUrl: string;
  mailFrom: string;
  appUrl: string;
  provisionerHttpSecret?: string;
  stripe: Stripe;
  concurrency?: number;
};

type TaskOptions = Omit<WorkerOptions, "logger" | "concurrency" | "databaseUrl"> & { database: DbHandle };

const eventPayload = z.object({ eventId: z.string().min(1) });

/** Scheduled sweeps; `?max=1` skips runs missed while no worker was up instead of replaying them all. */
const crontab = [
  "* * * * * trials_sweep ?max=1",
  "*/5 * * * * provisioning_sla_sweep ?max=1",
  `* * * * * ${CALLBACK_SWEEP_TASK} ?max=1`,
  "17 * * * * subscriptions_retention_sweep ?max=1",
  "40 3 * * * billing_reconcile ?max=1",
].join("\n");

/** Which tasks this process runs: every job the portal queues has its handler here. */
export function taskList({
  database,
  smtpUrl,
  mailFrom,
  appUrl,
  provisionerHttpSecret,
  stripe,
}: TaskOptions): TaskList {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    [STRIPE_EVENT_TASK]: async (payload) =>
      processStripeEvent({ db: database.db, stripe, appUrl }, eventPayload.parse(payload).eventId),
    [SEND_EMAIL_TASK]: (payload) => sendQueuedEmail(transport, mailFrom, payload),
    trials_sweep: async () => {
      await sweepTrials(database.db, appUrl);
    },
    provisioning_sla_sweep: async () => {
      await notifyStaffOfOverdueRequests(database.db, appUrl);
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
    ...provisioningTasks(database.db, {
      registry: provisionerRegistry(database, provisionerHttpSecret),
      callbackUrl: (requestId) => `${appUrl}/provisioning/callbacks/${requestId}`,
      onSucceeded: (tx, request) => queueSetupCompleteEmails(tx, appUrl, request),
    }),
  };
}

/** The installed provisioners. A new one is a file in provisioning/provisioners/ and a line here. */
export function provisionerRegistry(database: DbHandle, httpSecret?: string): ProvisionerRegistry {
  return new ProvisionerRegistry([
    createDemoProvisioner(database.db),
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

/** One graphile-worker pool and its heartbeat, under the pool's id (what it writes into `locked_by`). */
type Pool = { runner: Runner; workerId: string; heartbeat: Heartbeat };

/**
 * graphile-worker in this process, with its own pool whose commits do not wait for the disk:
 * every task is safe to redo, so a crash costs a repeat, not a loss. It announces itself with a
 * heartbeat and frees the jobs of dead workers (ADR 6); if the others declared it dead (frozen past
 * the silence), it drops its pool and starts a new one under a new id.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const log = options.logger.child({ component: "worker" });
  const database = connectDb(options.databaseUrl, { max: 10, relaxedCommits: true });
  const concurrency = options.concurrency ?? 5;
  const tasks = taskList({ ...options, database });
  // Once its jobs are released at a stop, their failures (a closed pool) are expected, not errors.
  let released = false;
  let stopping = false;

  const launch = async (): Promise<Pool> => {
    let workerId = "";
    const events: WorkerEvents = new EventEmitter();
    events.on("pool:create", ({ workerPool }) => (workerId = workerPool.id));
    const runner = await run({
      connectionString: workerConnectionString(options.databaseUrl),
      concurrency,
      preset: batchedJobsPreset(concurrency),
      noHandleSignals: true,
      pollInterval: 1_000,
      events,
      logger: new WorkerLogger(() => (level, message, meta) => {
        const method =
          released || level === "debug" ? "debug" : level === "warning" ? "warn" : level === "error" ? "error" : "info";
        log[method](meta ?? {}, message);
      }),
      taskList: tasks,
      crontab,
    });
    const heartbeat = await startHeartbeat({
      databaseUrl: options.databaseUrl,
      workerId,
      db: database.db,
      log,
      onFenced: () => {
        if (stopping) return;
        const fenced = pool;
        pool = launch();
        void fenced.then(async ({ runner, heartbeat }) => {
          await heartbeat.stop();
          await runner.kill("declared dead by the other workers").catch(() => {});
        });
      },
    });
    return { runner, workerId, heartbeat };
  };
  let pool = launch();
  await pool;

  return {
    stop: async (timeoutMs) => {
      stopping = true;
      const current = await pool.catch((error: unknown) => {
        log.error({ err: error }, "the worker's pool had failed to start again; nothing to stop");
        return null;
      });
      if (!current) return void (await database.sql.end({ timeout: 0 }));
      const { runner, workerId, heartbeat } = current;
      const finished = runner.stop().then(
        () => true,
        (error: unknown) => {
          log.error({ err: error }, "worker stopped with an error");
          return true;
        },
      );
      const timer = new AbortController();
      const inTime = await Promise.race([
        finished,
        delay(timeoutMs, false, { signal: timer.signal }).catch(() => true),
      ]);
      timer.abort();
      if (!inTime) {
        released = true;
        await database.db
          .transaction((tx) => releaseWorkerJobs(tx, [workerId]))
          .catch((error: unknown) =>
            log.error({ err: error }, "could not release the running jobs; the liveness sweep will"),
          );
        log.warn({ workerId }, "jobs still running at the stop deadline were released to other workers");
      }
      await heartbeat.stop();
      await database.sql.end({ timeout: inTime ? 5 : 0 });
    },
  };
}
