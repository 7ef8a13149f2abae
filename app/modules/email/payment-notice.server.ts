import type { DbOrTx } from "#db/client";
import { formatMoney } from "~/lib/money";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { queueEmail } from "./outbox.server";
import { paymentActionRequiredMessage, paymentFailedMessage } from "./templates";

export type PaymentProblem = {
  kind: "failed" | "action_required";
  accountId: string;
  planName: string;
  amount: number;
  currency: string;
  link: string;
};

/** Tells the account's owners and admins that a payment needs them, in the transaction that learnt it. */
export async function queuePaymentProblemEmails(tx: DbOrTx, problem: PaymentProblem): Promise<void> {
  const amount = formatMoney({ amount: problem.amount, currency: problem.currency.toUpperCase() });
  const message = problem.kind === "failed" ? paymentFailedMessage : paymentActionRequiredMessage;
  for (const recipient of await accountManagers(tx, problem.accountId)) {
    await queueEmail(tx, { to: recipient.email, ...message(recipient.name, problem.planName, amount, problem.link) });
  }
}
