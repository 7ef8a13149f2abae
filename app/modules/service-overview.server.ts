import { desc, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  provisioningRequests,
  serviceInstances,
  subscriptions,
  trials,
  type Operation,
  type RequestStatus,
} from "#db/schema";
import type { Money } from "~/lib/money";
import type { RequestRow } from "~/components/provisioning-progress";
import { seatUsage, type SeatUsage } from "~/modules/accounts/seats.server";
import { billingSummary, type CardSummary } from "~/modules/billing/billing-summary.server";
import { ENDED_SUBSCRIPTION_STATUSES } from "~/modules/billing/subscription-states";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { activationOf } from "~/modules/usage/activation.server";
import { checklistOf, type Checklist } from "~/modules/usage/checklist";
import { COMPARE_PLANS_PATH, PLAN_CHANGE_PATH, usageViewOf, type ServiceUsage } from "~/modules/usage/limits-view";
import { usageOf } from "~/modules/usage/usage-summary.server";
import { pauseReasonOf } from "./service-status.server";

/** Services and history rows shown per page: an organisation has a handful of services. */
const SERVICE_LIMIT = 10;
const REQUEST_LIMIT = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
const SETTLED: RequestStatus[] = ["succeeded", "failed", "cancelled"];

export type ServiceState =
  | { kind: "setting_up"; step: RequestStatus; waitingReason: string | null }
  | { kind: "active"; changing: boolean }
  | { kind: "trial"; daysLeft: number; endsAt: Date }
  | { kind: "paused"; since: Date | null; reason: string; path: string }
  | { kind: "ending"; endsAt: Date }
  | { kind: "removed"; since: Date | null };

/** The one thing to do next, as a label and where it leads. */
export type NextAction = { label: string; to: string; external: boolean };

/** A request of the service's history, as the server reads it (`RequestRow` with dates). */
export type ServiceHistoryRow = RequestRow & { createdAt: Date; completedAt: Date | null };

/** One service of the organisation at a glance (see `serviceCards`). */
export type ServiceCard = {
  instanceId: string;
  productName: string;
  planName: string;
  planSlug: string;
  state: ServiceState;
  users: SeatUsage;
  /** "Next charge" or, during a trial carried into the subscription, the first charge. Managers only. */
  charge: { first: boolean; date: string; total: Money } | null;
  card: CardSummary | null;
  workspaceUrl: string | null;
  action: NextAction | null;
  history: ServiceHistoryRow[];
  /**
   * The getting-started checklist (the plan's milestones); null while setting up, once removed, after
   * the milestones' windows have ended, or without milestones.
   */
  checklist: Checklist | null;
  /** What the product reports of its use against the plan; null once removed or before any report. */
  usage: ServiceUsage | null;
};

/**
 * The organisation's services (its service instances, newest first), each with its state in
 * words, users used against users bought (`seatUsage`, the limit invitations are held to), the next charge and
 * card (from Stripe through `billingSummary`, cached; for owners and admins only, `manager`), the
 * workspace link, the next action and its provisioning history. A fixed set of queries whatever
 * the number of services, with the getting-started checklist (`activationOf`) and usage against the
 * plan (`usageOf`, upgrade nudges for managers only); `billingUnavailable` carries the sentence when Stripe could not answer;
 * `paymentFailing` is whether the organisation's subscription's last payment failed.
 */
export async function serviceCards(
  deps: { db: Database; stripe: Stripe },
  accountId: string,
  manager: boolean,
  now = Date.now(),
): Promise<{ cards: ServiceCard[]; billingUnavailable: string | null; paymentFailing: boolean }> {
  const { db } = deps;
  const [catalog, instances, trialRows, subscriptionRows, requests, seats] = await Promise.all([
    requireCatalog(db),
    db
      .select()
      .from(serviceInstances)
      .where(eq(serviceInstances.accountId, accountId))
      .orderBy(desc(serviceInstances.createdAt))
      .limit(SERVICE_LIMIT),
    db
      .select({ instanceId: trials.instanceId, status: trials.status, endsAt: trials.endsAt })
      .from(trials)
      .where(eq(trials.accountId, accountId)),
    db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.accountId, accountId))
      .orderBy(desc(subscriptions.updatedAt)),
    db
      .select({
        id: provisioningRequests.id,
        instanceId: provisioningRequests.instanceId,
        operation: provisioningRequests.operation,
        status: provisioningRequests.status,
        planName: sql<string>`${provisioningRequests.snapshot}->>'planName'`,
        result: provisioningRequests.result,
        waitingReason: provisioningRequests.waitingReason,
        createdAt: provisioningRequests.createdAt,
        completedAt: provisioningRequests.completedAt,
      })
      .from(provisioningRequests)
      .where(eq(provisioningRequests.accountId, accountId))
      .orderBy(desc(provisioningRequests.createdAt), desc(provisioningRequests.id))
      .limit(REQUEST_LIMIT),
    seatUsage(db, accountId),
  ]);
  const live = subscriptionRows.find((row) => !row.endedAt && row.instanceId);
  const instanceIds = instances.map((instance) => instance.id);
  const [summary, activations, usages] = await Promise.all([
    manager && live ? billingSummary(deps, accountId) : null,
    activationOf(db, instanceIds, catalog),
    usageOf(db, instanceIds, new Date(now)),
  ]);
  const billing = summary?.available ? summary : null;

  const cards = instances.map((instance): ServiceCard => {
    const history = requests.filter((request) => request.instanceId === instance.id);
    const trial = trialRows.find((row) => row.instanceId === instance.id && row.status !== "converted");
    const subscription = subscriptionRows.find((row) => row.instanceId === instance.id);
    const planSlug = subscription?.planSlug ?? instance.planSlug;
    const planName = catalog.plans.find((plan) => plan.slug === planSlug)?.name ?? instance.snapshot.planName;
    const workspaceUrl = Object.values(instance.access ?? {}).find((value) => /^https?:\/\//.test(value)) ?? null;
    const state = stateOf(instance.status, history, trial, subscription, now);
    const activation = activations.get(instance.id);
    const usage = usages.get(instance.id);
    const own = billing && subscription && subscription.id === live?.id ? billing : null;
    const charge =
      own?.nextInvoice && state.kind !== "removed"
        ? { first: subscription?.status === "trialing", date: own.nextInvoice.date, total: own.nextInvoice.total }
        : null;
    return {
      instanceId: instance.id,
      productName: catalog.product.name,
      planName,
      planSlug,
      state,
      users: seats,
      charge,
      card: own?.card ?? null,
      workspaceUrl,
      action: nextAction(state, {
        planSlug,
        planName,
        manager,
        workspaceUrl,
        subscription,
        hasCard: Boolean(own?.card),
        billingKnown: Boolean(own),
      }),
      history,
      checklist:
        // Shown while its steps can still be taken: from the setup until the last window ends.
        state.kind === "setting_up" ||
        state.kind === "removed" ||
        !activation ||
        activation.windowsEndAt.getTime() <= now
          ? null
          : checklistOf(activation, workspaceUrl),
      usage:
        usage && state.kind !== "removed"
          ? usageViewOf(
              // A trial has bought nothing: its users allowed are its plan's user limit, as on the Users line.
              state.kind === "trial" && seats.bought !== null ? { ...usage, seatsBought: seats.bought } : usage,
              catalog.features,
              manager ? (subscription && !subscription.endedAt ? PLAN_CHANGE_PATH : COMPARE_PLANS_PATH) : null,
            )
          : null,
    };
  });
  // The organisation's subscription as `currentSubscription` reads it: the newest that has not ended.
  const current = subscriptionRows.find((row) => !ENDED_SUBSCRIPTION_STATUSES.includes(row.status));
  return {
    cards,
    billingUnavailable: summary && !summary.available ? summary.message : null,
    paymentFailing: Boolean(current?.paymentFailedAt),
  };
}

type Subscription = typeof subscriptions.$inferSelect;

/** The state a person reads, from the instance, its latest requests, its trial and its subscription. */
function stateOf(
  status: "pending" | "active" | "suspended" | "deprovisioned",
  history: ServiceHistoryRow[],
  /** `endsAt` is null while a staff-set-up trial waits for its setup (its clock starts then, ADR 17). */
  trial: { status: string; endsAt: Date | null } | undefined,
  subscription: Subscription | undefined,
  now: number,
): ServiceState {
  const moving = history.find((request) => !SETTLED.includes(request.status));
  const lastDone = (operation: Operation) =>
    history.find((request) => request.operation === operation && request.status === "succeeded")?.completedAt ?? null;
  if (status === "deprovisioned") return { kind: "removed", since: lastDone("deprovision") };
  if (status === "pending")
    return { kind: "setting_up", step: moving?.status ?? "queued", waitingReason: moving?.waitingReason ?? null };
  if (status === "suspended") {
    if (trial?.status === "expired")
      return {
        kind: "paused",
        since: lastDone("suspend"),
        reason: "Your trial has ended. Nothing is deleted yet: buy a plan to continue where you left off.",
        path: "/pricing",
      };
    const reason = pauseReasonOf(subscription?.status);
    return { kind: "paused", since: lastDone("suspend"), reason: reason.sentence, path: reason.path };
  }
  if (trial?.status === "active" && trial.endsAt) {
    const endsAt = new Date(trial.endsAt);
    return { kind: "trial", daysLeft: Math.max(0, Math.ceil((endsAt.getTime() - now) / DAY_MS)), endsAt };
  }
  if (subscription?.cancelAtPeriodEnd && !subscription.endedAt && subscription.currentPeriodEnd)
    return { kind: "ending", endsAt: subscription.currentPeriodEnd };
  return { kind: "active", changing: Boolean(moving) };
}

/** The one next step that matters for the service in this state; links to billing only for managers. */
function nextAction(
  state: ServiceState,
  context: {
    planSlug: string;
    planName: string;
    manager: boolean;
    workspaceUrl: string | null;
    subscription: Subscription | undefined;
    hasCard: boolean;
    billingKnown: boolean;
  },
): NextAction | null {
  const billing = (label: string) => (context.manager ? { label, to: "/account/billing", external: false } : null);
  switch (state.kind) {
    case "setting_up":
      return null;
    case "trial":
      return { label: `Buy ${context.planName}`, to: `/orders/new?plan=${context.planSlug}`, external: false };
    case "paused":
      return state.path === "/account/billing"
        ? billing("Update your card")
        : { label: "Choose a plan", to: state.path, external: false };
    case "ending":
      return billing("Resume");
    case "removed":
      return { label: "Choose a plan", to: "/pricing", external: false };
    case "active":
      if (context.subscription?.paymentFailedAt) return billing("Update your card");
      if (context.billingKnown && !context.hasCard) return billing("Add a card");
      return context.workspaceUrl ? { label: "Open workspace", to: context.workspaceUrl, external: true } : null;
  }
}
