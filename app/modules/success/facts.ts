/**
 * What the customer-success computations know about one account at one moment (issue 16, ADR 22):
 * gathered in batches by `loadAccountFacts` (facts.server.ts), then read by the health score, the
 * lifecycle stage, the PQL score and the playbooks, which are pure over it (apart from playbook
 * state). Times are UTC `Date`s; money is minor units with its currency.
 */
import type { HealthBand, LifecycleStage } from "#db/schema";

export type SubscriptionFacts = {
  id: string;
  /** Stripe's status as mirrored: trialing, active, past_due, unpaid, canceled, incomplete… */
  status: string;
  planSlug: string | null;
  quantity: number;
  interval: "month" | "year" | null;
  /** This subscription's MRR as its ledger last recorded it, minor units (docs/metrics.md: 0 when not paying). */
  mrrMinor: number;
  currency: string | null;
  currentPeriodEnd: Date | null;
  paymentFailedAt: Date | null;
  cancelAtPeriodEnd: boolean;
  endedAt: Date | null;
};

export type TrialFacts = {
  id: string;
  planSlug: string;
  status: "active" | "expired" | "converted";
  startedAt: Date;
  /** When its days started counting (null while a manual setup is pending). */
  clockStartedAt: Date | null;
  endsAt: Date | null;
  /** The plan's setup is done by staff (manual provisioner): day 1 is a call, not an email. */
  manualSetup: boolean;
};

export type AccountFacts = {
  accountId: string;
  name: string;
  createdAt: Date;
  now: Date;
  assignedStaffId: string | null;
  subscriptions: SubscriptionFacts[];
  /** The first successful payment (an order paid), or null. */
  firstPaidAt: Date | null;
  /** When the service first started for the customer (first setup done, or the trial clock's start). */
  serviceStartedAt: Date | null;
  /** The latest trial, if any. */
  trial: TrialFacts | null;
  /** Activation milestones of the current plan: how many there are, how many reached, and when the last was. */
  milestones: { planned: number; reached: number; lastReachedAt: Date | null };
  usage: {
    /** False when the product never reported anything: usage measures then have no data. */
    hasData: boolean;
    activeUsers28d: number;
    /** Users bought (seats) across paying subscriptions, or the trial's plan seats. */
    seatsBought: number;
    /** Distinct days with an active user in the last 28 days. */
    activeDays28d: number;
    /** Distinct event names used in the last 28 days. */
    featuresUsed28d: number;
    /** Distinct event names the account ever used (the breadth's denominator floor). */
    featuresEverUsed: number;
    lastActiveAt: Date | null;
    /** The highest share of a plan limit in use (0.85 = 85% of projects), null without limits. */
    maxLimitShare: number | null;
  };
  setup: {
    /** The oldest open request that failed, or null. */
    failedSince: Date | null;
    waitingCustomerSince: Date | null;
    waitingStaffSince: Date | null;
  };
  payment: { failingSince: Date | null; worstStatus: "ok" | "past_due" | "unpaid" | "failing" };
  contactRequests: { last30d: number; lastAt: Date | null };
  /** The lead the account came from, if any. */
  lead: { id: string; verdict: string; score: number; companySize: string | null } | null;
  signals: {
    pricingViewedAt: Date | null;
    billingViewedAt: Date | null;
    upgradePreviewAt: Date | null;
    checkoutOpenedAt: Date | null;
    /** A checkout was opened and no order from it was paid. */
    checkoutUnpaid: boolean;
  };
};

/** What the health job writes for an account besides the snapshot (see `accountSuccess`). */
export type Standing = {
  stage: LifecycleStage;
  stageDay: number | null;
  healthScore: number | null;
  healthBand: HealthBand | null;
};
