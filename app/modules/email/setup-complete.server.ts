import type { DbOrTx } from "#db/client";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { pauseReason } from "~/modules/service-status.server";
import { startTrialClock } from "~/modules/trials/clock.server";
import { queueEmail, type OutgoingEmail } from "./outbox.server";
import { serviceRemovedMessage, servicePausedMessage, serviceResumedMessage, setupCompleteMessage } from "./templates";

type CompletedRequest = {
  accountId: string;
  instanceId: string;
  operation: string;
  idempotencyKey: string;
  snapshot: { planName: string };
  result: Record<string, string> | null;
};

/**
 * Tells the account's owners and admins what changed in what they can use, in the transaction that
 * completes the provisioning request: ready (set up or changed), paused, running again or removed.
 * A trial's expiry and removal are told by the trial's own emails (keys `trial-expired:`,
 * `trial-removed:`), so those are skipped here.
 * A trial whose clock waited for this setup starts counting now (`startTrialClock`, issue 14 item 9),
 * and the ready email says when the trial ends.
 */
export async function queueSetupCompleteEmails(tx: DbOrTx, appUrl: string, request: CompletedRequest): Promise<void> {
  if (/^trial-(expired|removed):/.test(request.idempotencyKey)) return;
  const trialEndsAt = await startTrialClock(tx, request);
  const message = await messageFor(tx, appUrl, request, trialEndsAt);
  if (!message) return;
  for (const recipient of await accountManagers(tx, request.accountId)) {
    await queueEmail(tx, { to: recipient.email, ...message(recipient.name) });
  }
}

type Message = (name: string) => Omit<OutgoingEmail, "to">;

async function messageFor(
  tx: DbOrTx,
  appUrl: string,
  request: CompletedRequest,
  trialEndsAt: Date | null,
): Promise<Message | null> {
  const plan = request.snapshot.planName;
  switch (request.operation) {
    case "provision":
    case "modify":
      return (name) => setupCompleteMessage(name, plan, request.result ?? {}, `${appUrl}/account`, trialEndsAt);
    case "suspend": {
      const why = await pauseReason(tx, request.instanceId);
      return (name) => servicePausedMessage(name, plan, why.sentence, `${appUrl}${why.path}`);
    }
    case "resume":
      return (name) => serviceResumedMessage(name, plan, `${appUrl}/account`);
    case "deprovision":
      return (name) => serviceRemovedMessage(name, plan, `${appUrl}/pricing`);
    default:
      return null;
  }
}
