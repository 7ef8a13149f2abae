import type { EmulatorContext } from "./context";
import type { DueWork } from "./time-travel";

const REMINDER_LEAD_SECONDS = 3 * 86_400;

/** `customer.subscription.trial_will_end`, three days before the trial ends (at once for shorter trials). */
export function trialReminderWork(context: EmulatorContext): DueWork[] {
  return context.store.subscriptions.oldestFirst().flatMap((subscription) => {
    const { trial_end: trialEnd } = subscription;
    if (
      subscription.status !== "trialing" ||
      trialEnd === null ||
      context.store.trialRemindersSent.has(subscription.id)
    )
      return [];
    return [
      {
        key: `trial_reminder:${subscription.id}`,
        at: Math.max(trialEnd - REMINDER_LEAD_SECONDS, subscription.trial_start ?? subscription.created),
        run() {
          context.store.trialRemindersSent.add(subscription.id);
          context.recordEvent(
            "customer.subscription.trial_will_end",
            context.store.subscriptions.require(subscription.id),
            null,
          );
        },
      },
    ];
  });
}
