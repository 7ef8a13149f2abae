import type { BillingInterval } from "#db/schema";
import type { CatalogPlan } from "~/modules/catalog/catalog.server";
import { displayPrice } from "~/modules/catalog/pricing";

export function PriceTag({ plan, interval }: { plan: CatalogPlan; interval: BillingInterval }) {
  const price = displayPrice(plan, interval);
  return (
    <div data-testid={`price-${plan.slug}-${interval}`}>
      <p className="flex flex-wrap items-baseline gap-x-1">
        {price.prefix ? <span className="text-sm text-slate-600">{price.prefix}</span> : null}
        <span className="text-4xl font-bold tracking-tight text-slate-900" data-testid="price-amount">
          {price.amount}
        </span>
        <span className="text-sm text-slate-600">{price.unit}</span>
      </p>
      {price.note ? <p className="mt-1 text-sm text-slate-600">{price.note}</p> : null}
    </div>
  );
}
