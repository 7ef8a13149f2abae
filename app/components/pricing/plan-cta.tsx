import type { CatalogPlan } from "~/modules/catalog/catalog.server";
import { ButtonLink } from "~/components/ui/button-link";

/** The next step a plan offers; "contact us" plans lead to staff rather than to a checkout. */
export function PlanCta({ plan, block = false }: { plan: CatalogPlan; block?: boolean }) {
  if (plan.salesMode === "contact_sales") {
    return (
      <ButtonLink to={`/plans/${plan.slug}#contact`} variant="secondary" block={block}>
        Talk to us<span className="sr-only"> about {plan.name}</span>
      </ButtonLink>
    );
  }
  return (
    <ButtonLink to={`/plans/${plan.slug}`} variant={plan.highlighted ? "primary" : "secondary"} block={block}>
      {plan.trialDays > 0 ? "Start free trial" : "Choose"}
      <span className="sr-only"> of {plan.name}</span>
    </ButtonLink>
  );
}
