import { Link } from "@remix-run/react";
import { LocalDate } from "~/components/local-date";
import { RequestHistory, type RequestRow } from "~/components/provisioning-progress";
import { longDate } from "~/lib/dates";
import { formatMoney, type Money } from "~/lib/money";
import { statusLabels } from "~/modules/provisioning-labels";
import type { RequestStatus } from "../../provisioning/types";
import { seatUsageText } from "~/modules/accounts/seat-usage-text";
import type { Checklist } from "~/modules/usage/checklist";
import type { ServiceUsage } from "~/modules/usage/limits-view";
import { GettingStarted } from "~/components/getting-started";
import { UsageMeters } from "~/components/usage-meters";

type Card = { brand: string; last4: string; expMonth: number; expYear: number };

/** A service as the loader sends it (dates as strings after serialisation). */
export type ServiceCardData = {
  instanceId: string;
  productName: string;
  planName: string;
  state:
    | { kind: "setting_up"; step: RequestStatus; waitingReason: string | null }
    | { kind: "active"; changing: boolean }
    | { kind: "trial"; daysLeft: number; endsAt: Date | string }
    | { kind: "paused"; since: Date | string | null; reason: string; path: string }
    | { kind: "ending"; endsAt: Date | string }
    | { kind: "removed"; since: Date | string | null };
  users: { used: number; bought: number | null };
  charge: { first: boolean; date: string; total: Money } | null;
  card: Card | null;
  workspaceUrl: string | null;
  action: { label: string; to: string; external: boolean } | null;
  history: RequestRow[];
  checklist: Checklist | null;
  usage: ServiceUsage | null;
};

const brandNames: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  diners: "Diners Club",
  jcb: "JCB",
  unionpay: "UnionPay",
};

/** "Visa ending 4242": how people name a card. */
export function cardText(card: Card): string {
  return `${brandNames[card.brand] ?? "Card"} ending ${card.last4}`;
}

const badges: Record<ServiceCardData["state"]["kind"], [string, string]> = {
  setting_up: ["Setting up", "bg-blue-100 text-blue-900"],
  active: ["Active", "bg-green-100 text-green-800"],
  trial: ["Trial", "bg-brand-100 text-brand-900"],
  paused: ["Paused", "bg-amber-100 text-amber-900"],
  ending: ["Ending", "bg-amber-100 text-amber-900"],
  removed: ["Removed", "bg-slate-100 text-slate-700"],
};

/** The state as a sentence: what the service is doing now and until when. */
function StateText({ card }: { card: ServiceCardData }) {
  const { state } = card;
  switch (state.kind) {
    case "setting_up":
      return (
        <>
          Being set up: {statusLabels[state.step].toLowerCase()}.
          {state.waitingReason ? ` ${state.waitingReason}` : " This page updates by itself."}
        </>
      );
    case "active":
      return <>{state.changing ? "Active. Your change is being applied." : "Active."}</>;
    case "trial":
      return (
        <>
          Free trial: {state.daysLeft} {state.daysLeft === 1 ? "day" : "days"} left, until {longDate(state.endsAt)}.
        </>
      );
    case "paused":
      return (
        <span data-testid="service-paused" className="block">
          <span className="font-semibold">
            Your {card.planName} service is paused
            {state.since ? (
              <>
                {" "}
                since <LocalDate value={state.since} />
              </>
            ) : null}
            .
          </span>{" "}
          {state.reason}{" "}
          <Link to={state.path} className="font-medium underline">
            {state.path === "/account/billing"
              ? "Update your card on the billing page"
              : state.path === "/pricing"
                ? "Choose a plan"
                : "See what to do"}
          </Link>
        </span>
      );
    case "ending":
      return <>Cancelled: ending on {longDate(state.endsAt)}. It runs as it is until then.</>;
    case "removed":
      return <>Removed{state.since ? ` on ${longDate(state.since)}` : ""}. Its data is deleted.</>;
  }
}

/**
 * One service at a glance: product and plan, its state in words, users used of bought, the next
 * charge and the card, the workspace link, the getting-started checklist (unless the trial card
 * shows it, `checklistElsewhere`), usage against the plan, the one next action, and the request
 * history folded away in a disclosure.
 */
export function ServiceCard({
  card,
  checklistElsewhere = false,
}: {
  card: ServiceCardData;
  checklistElsewhere?: boolean;
}) {
  const [badge, badgeStyle] = badges[card.state.kind];
  const headingId = `service-${card.instanceId}`;
  return (
    <article
      aria-labelledby={headingId}
      className="rounded-2xl p-5 ring-1 ring-slate-200 sm:p-6"
      data-testid="service-card"
      data-state={card.state.kind}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="text-sm text-slate-600">{card.productName}</p>
          <h3 id={headingId} className="text-lg font-semibold" data-testid="service-plan">
            {card.planName}
          </h3>
        </div>
        <span className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${badgeStyle}`} data-testid="service-badge">
          {badge}
        </span>
      </div>
      <p
        className={`mt-2 text-sm ${card.state.kind === "paused" ? "rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-950" : "text-slate-800"}`}
        data-testid="service-state"
        role={card.state.kind === "paused" ? "alert" : undefined}
      >
        <StateText card={card} />
      </p>
      <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-600">Users</dt>
          <dd data-testid="service-users">{seatUsageText(card.users)}</dd>
        </div>
        {card.charge ? (
          <div>
            <dt className="text-slate-600">{card.charge.first ? "First charge" : "Next charge"}</dt>
            <dd data-testid="service-charge">
              {card.charge.first ? "First charge on " : "On "}
              {longDate(card.charge.date)}: {formatMoney(card.charge.total)}
            </dd>
          </div>
        ) : null}
        {card.card ? (
          <div>
            <dt className="text-slate-600">Card</dt>
            <dd data-testid="service-card-brand">{cardText(card.card)}</dd>
          </div>
        ) : null}
        {card.workspaceUrl && card.state.kind !== "removed" ? (
          <div className="min-w-0">
            <dt className="text-slate-600">Workspace</dt>
            <dd className="break-all">
              <a href={card.workspaceUrl} className="text-brand-700 underline">
                {card.workspaceUrl}
              </a>
            </dd>
          </div>
        ) : null}
      </dl>
      {card.checklist && !checklistElsewhere ? (
        <div className="mt-5 border-t border-slate-100 pt-4">
          <GettingStarted
            checklist={card.checklist}
            daysLeft={card.state.kind === "trial" ? card.state.daysLeft : null}
            id={card.instanceId}
          />
        </div>
      ) : null}
      {card.usage ? (
        <div className="mt-5 border-t border-slate-100 pt-4">
          <UsageMeters usage={card.usage} id={card.instanceId} />
        </div>
      ) : null}
      {card.action ? (
        <div className="mt-5">
          {card.action.external ? (
            <a
              href={card.action.to}
              className="inline-flex items-center justify-center rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
              data-testid="service-action"
            >
              {card.action.label}
            </a>
          ) : (
            <Link
              to={card.action.to}
              className="inline-flex items-center justify-center rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
              data-testid="service-action"
            >
              {card.action.label}
            </Link>
          )}
        </div>
      ) : null}
      {card.history.length ? (
        <details className="mt-5 text-sm">
          <summary className="cursor-pointer font-medium text-slate-700">
            History<span className="sr-only"> of {card.planName}</span>
          </summary>
          <RequestHistory requests={card.history} className="mt-3" />
        </details>
      ) : null}
    </article>
  );
}
