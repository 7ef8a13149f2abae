import { checkoutExpiryWork } from "./checkout-expiry";
import type { EmulatorContext } from "./context";
import { paymentRetryWork } from "./dunning";
import { invalidRequest } from "./errors";
import { periodEndWork } from "./renewals";
import { trialReminderWork } from "./trial-reminders";

/** Something that happens by itself at a moment: a renewal, a payment retry, an expiry. */
export interface DueWork {
  /** Names the work, so that work which fails to move on is caught instead of looping forever. */
  key: string;
  at: number;
  run(): void;
}

/** In priority order for work falling due at the same second (a reminder before the trial ends). */
const SOURCES: readonly ((context: EmulatorContext) => DueWork[])[] = [
  trialReminderWork,
  periodEndWork,
  paymentRetryWork,
  checkoutExpiryWork,
];

/**
 * Runs all work due by `until`, earliest first, with the clock pinned to the moment each fell due.
 * Runs before every request too, so work that fell due in real time is never skipped.
 * Returns whether anything ran.
 */
export function settleDueWork(context: EmulatorContext, until = context.now()): boolean {
  let last: DueWork | undefined;
  try {
    for (;;) {
      const next = earliest(SOURCES.flatMap((source) => source(context)).filter((work) => work.at <= until));
      if (!next) return last !== undefined;
      if (last && last.key === next.key && last.at === next.at) throw new Error(`Due work ${next.key} did not move on`);
      context.clock.pin(next.at);
      next.run();
      last = next;
    }
  } finally {
    context.clock.unpin();
  }
}

/** Moves the clock forward by `seconds`, running everything that falls due on the way. Returns the new time. */
export function advanceTime(context: EmulatorContext, seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw invalidRequest("`seconds` must be a whole number of seconds, 0 or more: time only moves forward.", "seconds");
  const target = context.now() + seconds;
  settleDueWork(context, target);
  context.clock.set(target);
  return target;
}

function earliest(work: readonly DueWork[]): DueWork | undefined {
  return work.reduce<DueWork | undefined>(
    (first, candidate) => (first === undefined || candidate.at < first.at ? candidate : first),
    undefined,
  );
}
