import type { TaskList } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client";
import { RUN_TASK } from "./requests";
import { runProvisioningRequest, type RunnerOptions } from "./runner";
import { sweepOverdueCallbacks } from "./sweeps";

/** The scheduled task that retries or escalates accepted requests whose callback is overdue. */
export const CALLBACK_SWEEP_TASK = "provisioning_callback_sweep";

const payloadSchema = z.object({ requestId: z.uuid() });

/** The worker tasks of the provisioning side. */
export function provisioningTasks(db: Database, options: RunnerOptions): TaskList {
  return {
    [RUN_TASK]: async (payload) => runProvisioningRequest(db, payloadSchema.parse(payload).requestId, options),
    [CALLBACK_SWEEP_TASK]: async (_payload, helpers) => {
      const handled = await sweepOverdueCallbacks(db);
      if (handled) helpers.logger.info(`provisioning callback sweep: ${handled} overdue requests retried or escalated`);
    },
  };
}
