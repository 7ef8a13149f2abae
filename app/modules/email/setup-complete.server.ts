import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { memberships, users } from "#db/schema";
import { queueEmail } from "./outbox.server";
import { setupCompleteMessage } from "./templates";

type CompletedRequest = { accountId: string; operation: string; snapshot: { planName: string }; result: Record<string, string> | null };

/** Tells the account's owners and admins that what they bought is ready, in the completing transaction. */
export async function queueSetupCompleteEmails(tx: DbOrTx, appUrl: string, request: CompletedRequest): Promise<void> {
  if (request.operation !== "provision" && request.operation !== "modify") return;
  const recipients = await tx
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, request.accountId), inArray(memberships.role, ["owner", "admin"])));
  for (const recipient of recipients) {
    await queueEmail(tx, { to: recipient.email, ...setupCompleteMessage(recipient.name, request.snapshot.planName, request.result ?? {}, `${appUrl}/account`) });
  }
}
