import type { TaskList } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client";
import { RUN_TASK } from "./requests";
import { runProvisioningRequest, type RunnerOptions } from "./runner";

const payloadSchema = z.object({ requestId: z.uuid() });

/** The worker tasks of the provisioning side. */
export function provisioningTasks(db: Database, options: RunnerOptions): TaskList {
  return {
    [RUN_TASK]: async (payload) => runProvisioningRequest(db, payloadSchema.parse(payload).requestId, options),
  };
}
