import type { Catalog } from "~/modules/catalog/catalog.server";
import { featureValueText } from "~/modules/catalog/pricing";
import { CheckIcon } from "./plan-card";

/** Every feature of every plan, grouped; scrolls sideways inside its box on narrow screens. */
export function ComparisonTable({ catalog }: { catalog: Catalog }) {
  const groups = [...new Set(catalog.features.map((f) => f.group))];
  return (
    <div
      className="relative overflow-x-auto rounded-xl ring-1 ring-slate-200"
      tabIndex={0}
      role="region"
      aria-labelledby="compare-heading"
    >
      <table className="w-full min-w-[40rem] border-collapse text-left text-sm">
        <caption className="sr-only">Features included in each plan</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className="w-1/3 px-4 py-3 font-semibold">
              Feature
            </th>
            {catalog.plans.map((plan) => (
              <th key={plan.slug} scope="col" className="px-4 py-3 font-semibold">
                {plan.name}
              </th>
            ))}
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group} className="border-t border-slate-200">
            <tr>
              <th
                scope="rowgroup"
                colSpan={catalog.plans.length + 1}
                className="bg-white px-4 pb-2 pt-5 font-semibold text-brand-700"
              >
                {group}
              </th>
            </tr>
            {catalog.features
              .filter((f) => f.group === group)
              .map((feature) => (
                <tr key={feature.key} className="border-t border-slate-100">
                  <th scope="row" className="px-4 py-3 font-normal text-slate-900">
                    {feature.name}
                    <span className="block text-xs text-slate-600">{feature.description}</span>
                  </th>
                  {catalog.plans.map((plan) => {
                    const value = plan.features[feature.key];
                    const text = featureValueText(feature, value);
                    return (
                      <td
                        key={plan.slug}
                        className="px-4 py-3 text-slate-700"
                        data-testid={`compare-${feature.key}-${plan.slug}`}
                      >
                        {feature.kind === "flag" ? (
                          value === true ? (
                            <>
                              <CheckIcon />
                              <span className="sr-only">{text}</span>
                            </>
                          ) : (
                            <>
                              <span aria-hidden="true" className="text-slate-400">
                                —
                              </span>
                              <span className="sr-only">{text}</span>
                            </>
                          )
                        ) : (
                          text
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
