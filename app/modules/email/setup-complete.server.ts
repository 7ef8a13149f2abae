import type { DbOrTx } from "#db/client";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { queueEmail } from "./outbox.server";
import { setupCompleteMessage } from "./templates";

type CompletedRequest = {
  accountId: string;
  operation: string;
  snapshot: { planName: string };
  result: Record<string, string> | null;
};

/** Tells the account's owners and admins that what they bought is ready, in the completing transaction. */
export async function queueSetupCompleteEmails(tx: DbOrTx, appUrl: string, request: CompletedRequest): Promise<void> {
  if (request.operation !== "provision" && request.operation !== "modify") return;
  for (const recipient of await accountManagers(tx, request.accountId)) {
    await queueEmail(tx, {
      to: recipient.email,
      ...setupCompleteMessage(recipient.name, request.snapshot.planName, request.result ?? {}, `${appUrl}/account`),
    });
  }
}
