import { formatMoney } from "~/lib/money";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { queueEmail } from "~/modules/email/outbox.server";
import { checkoutLinkMessage } from "~/modules/email/templates";
import { startCheckout, type CheckoutDeps, type CheckoutInput, type CheckoutResult } from "./checkout.server";

/**
 * Staff open a checkout for a customer they have talked to (any plan, "contact us" ones too) and
 * the account's owners and admins get the link by email. Paying it is an ordinary order.
 */
export async function sendCheckoutLink(
  deps: CheckoutDeps,
  input: Omit<CheckoutInput, "salesAssisted">,
): Promise<CheckoutResult> {
  const result = await startCheckout(deps, { ...input, salesAssisted: true });
  if (!result.ok) return result;
  const catalog = await requireCatalog(deps.db);
  const planName = catalog.plans.find((plan) => plan.slug === input.planSlug)?.name ?? input.planSlug;
  const { order } = result;
  const total = `${formatMoney({ amount: order.totalAmount, currency: order.currency })} per ${order.interval}`;
  for (const manager of await accountManagers(deps.db, input.accountId)) {
    await queueEmail(deps.db, { to: manager.email, ...checkoutLinkMessage(manager.name, planName, total, result.url) });
  }
  return result;
}
