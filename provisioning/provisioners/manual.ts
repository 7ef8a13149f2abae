import { z } from "zod";
import { outcome, type Provisioner } from "../types";

export const resultFieldSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  type: z.enum(["text", "url", "email"]),
});
export type ResultField = z.infer<typeof resultFieldSchema>;

/** The fields staff fill in to complete a manual setup, from the plan's provisioning settings. */
export function resultFields(config: Record<string, unknown>): ResultField[] {
  return z.array(resultFieldSchema).catch([]).parse(config.resultFields);
}

/** A person sets the service up: the request waits in the staff queue with the fields to fill in. */
export const manualProvisioner: Provisioner = {
  key: "manual",
  mode: "manual",
  async execute(job) {
    const fields = resultFields(job.config).map((field) => field.label);
    const what = { provision: "Set up", modify: "Change", suspend: "Suspend", resume: "Resume", deprovision: "Remove" }[
      job.operation
    ];
    return outcome.escalate(
      `${what} ${job.snapshot.planName} for ${job.accountName} by hand${fields.length ? `, then enter: ${fields.join(", ")}` : ""}.`,
    );
  },
};
