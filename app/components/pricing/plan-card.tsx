import { Link } from "@remix-run/react";
import type { BillingInterval } from "#db/schema";
import type { Catalog, CatalogPlan } from "~/modules/catalog/catalog.server";
import { featureValueText, seatsText } from "~/modules/catalog/pricing";
import { ButtonLink } from "~/components/ui/button-link";
import { PriceTag } from "./price-tag";
import { lowerFirst } from "~/lib/text";

type Props = { plan: CatalogPlan; features: Catalog["features"]; interval: BillingInterval };

export function PlanCard({ plan, features, interval }: Props) {
  const limits = features.filter((f) => f.kind === "limit");
  const included = features.filter((f) => f.kind === "flag" && plan.features[f.key] === true);
  const headingId = `plan-${plan.slug}-name`;
  return (
    <article
      aria-labelledby={headingId}
      data-testid={`plan-card-${plan.slug}`}
      className={`flex flex-col rounded-2xl p-6 ring-1 ${
        plan.highlighted ? "bg-brand-50 ring-2 ring-brand-600" : "bg-white ring-slate-200"
      }`}
    >
      <div className="flex items-center justify-between gap-2">
        <h2 id={headingId} className="text-lg font-semibold">
          <Link to={`/plans/${plan.slug}`} className="hover:underline">
            {plan.name}
          </Link>
        </h2>
        {plan.highlighted ? (
          <span className="rounded-full bg-brand-600 px-2.5 py-0.5 text-xs font-semibold text-white">Most popular</span>
        ) : null}
      </div>
      <p className="mt-2 text-sm text-slate-700">{plan.summary}</p>
      <div className="mt-6">
        <PriceTag plan={plan} interval={interval} />
      </div>
      <p className="mt-2 text-sm text-slate-700">{seatsText(plan)}</p>
      <p className="mt-1 text-sm text-slate-700">
        {plan.trialDays > 0 ? `${plan.trialDays}-day free trial, no card needed` : "Tailored onboarding"}
      </p>
      <div className="mt-6">
        <ButtonLink to={`/plans/${plan.slug}`} variant={plan.highlighted ? "primary" : "secondary"} block>
          Choose<span className="sr-only"> {plan.name}</span>
        </ButtonLink>
      </div>
      <ul className="mt-6 space-y-2 text-sm text-slate-700">
        {limits.map((feature) => (
          <li key={feature.key}>
            <span className="font-medium text-slate-900">{featureValueText(feature, plan.features[feature.key])}</span>{" "}
            {lowerFirst(feature.name)}
          </li>
        ))}
        {included.map((feature) => (
          <li key={feature.key} className="flex gap-2">
            <CheckIcon />
            {feature.name}
          </li>
        ))}
      </ul>
    </article>
  );
}

export function CheckIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 h-4 w-4 flex-none text-brand-600" fill="currentColor">
      <path
        fillRule="evenodd"
        d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
