import { z } from "zod";
import { formInteger, parseParams } from "../params";
import type { Route } from "../router";
import { advanceTime } from "../time-travel";

/** Endpoints Stripe does not have, for tests in another process; they need an API key like the rest. */
export const emulatorControlRoutes: Route[] = [
  {
    method: "POST",
    path: "/_emulator/advance_time",
    acceptsJson: true,
    handle({ params }, context) {
      const { seconds } = parseParams(z.strictObject({ seconds: formInteger }), params);
      return { now: advanceTime(context, seconds) };
    },
  },
];
