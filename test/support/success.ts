import type { AccountFacts } from "../../app/modules/success/facts";
import type { DbOrTx } from "../../db/client";
import { organisations } from "../../db/schema";

/**
 * Hand-made facts for one account: a quiet account with no trial, no subscription and no usage,
 * overridden where a test needs something to be true. `now` defaults to the account's creation.
 */
export function accountFacts(accountId: string, overrides: Partial<AccountFacts> = {}): AccountFacts {
  const createdAt = overrides.createdAt ?? new Date("2026-01-01T00:00:00Z");
  return {
    accountId,
    name: "Acme",
    createdAt,
    now: createdAt,
    assignedStaffId: null,
    subscriptions: [],
    firstPaidAt: null,
    serviceStartedAt: null,
    trial: null,
    milestones: { planned: 5, reached: 0, lastReachedAt: null },
    usage: {
      hasData: false,
      activeUsers28d: 0,
      seatsBought: 0,
      activeDays28d: 0,
      featuresUsed28d: 0,
      featuresEverUsed: 0,
      lastActiveAt: null,
      maxLimitShare: null,
    },
    setup: { failedSince: null, waitingCustomerSince: null, waitingStaffSince: null },
    payment: { failingSince: null, worstStatus: "ok" },
    contactRequests: { last30d: 0, lastAt: null },
    lead: null,
    signals: {
      pricingViewedAt: null,
      billingViewedAt: null,
      upgradePreviewAt: null,
      checkoutOpenedAt: null,
      checkoutUnpaid: false,
    },
    ...overrides,
  };
}

/** A new organisation (its success row comes with it), for tasks and playbook states to point at. */
export async function insertOrganisation(db: DbOrTx, name: string): Promise<string> {
  const [row] = await db.insert(organisations).values({ name }).returning({ id: organisations.id });
  return row!.id;
}
