import { z } from "zod";

/** How long a control plane has to call back after accepting a request, unless the plan says otherwise (ADR 6). */
export const DEFAULT_CALLBACK_DEADLINE_MINUTES = 60;

const configSchema = z.object({
  callbackDeadlineMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});

/**
 * The callback deadline of a request, in milliseconds after its acceptance: the plan's
 * `provisioningConfig.callbackDeadlineMinutes` (a whole number of minutes, 1 minute to 7 days),
 * else {@link DEFAULT_CALLBACK_DEADLINE_MINUTES}. A missing or invalid setting falls back to the default.
 */
export function callbackDeadlineMs(config: Record<string, unknown>): number {
  const parsed = configSchema.safeParse(config);
  return (parsed.success ? parsed.data.callbackDeadlineMinutes : DEFAULT_CALLBACK_DEADLINE_MINUTES) * 60_000;
}
