import type { Database } from "#db/client";
import { staffRecipients } from "~/modules/accounts/staff.server";
import { markOverdueRequests } from "../../../provisioning";
import { queueEmail } from "./outbox.server";
import { slaOverdueMessage } from "./templates";

/** Tells staff, once per request, that requests have passed their SLA. */
export async function notifyStaffOfOverdueRequests(db: Database, appUrl: string): Promise<number> {
  return db.transaction(async (tx) => {
    const count = await markOverdueRequests(tx);
    if (count) {
      for (const staff of await staffRecipients(tx))
        await queueEmail(tx, {
          to: staff.email,
          ...slaOverdueMessage(staff.name, count, `${appUrl}/staff/provisioning`),
        });
    }
    return count;
  });
}
