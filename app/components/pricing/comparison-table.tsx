import type { Catalog } from "~/modules/catalog/catalog.server";
import { featureValueText } from "~/modules/catalog/pricing";
import { CheckIcon } from "./plan-card";

/**
 * Every feature of every plan, grouped. On narrow screens it scrolls sideways inside its box with
 * the feature column held in place, so each row keeps its name while the plans scroll past.
 */
// Narrow enough at 375 px to leave room for two plans beside it; a shadow marks the edge plans scroll under.
const stickyColumn =
  "sticky left-0 z-10 w-36 px-3 shadow-[1px_0_0_0_theme(colors.slate.200)] sm:w-1/3 sm:px-4 sm:shadow-none";

export function ComparisonTable({ catalog }: { catalog: Catalog }) {
  const groups = [...new Set(catalog.features.map((f) => f.group))];
  return (
    <div
      className="relative overflow-x-auto rounded-xl ring-1 ring-slate-200"
      tabIndex={0}
      role="region"
      aria-labelledby="compare-heading"
    >
      <table className="w-full min-w-[34rem] border-collapse text-left text-sm sm:min-w-[40rem]">
        <caption className="sr-only">Features included in each plan</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={`${stickyColumn} bg-slate-50 py-3 font-semibold`}>
              Feature
            </th>
            {catalog.plans.map((plan) => (
              <th key={plan.slug} scope="col" className="px-3 py-3 font-semibold sm:px-4">
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
                className="bg-white px-3 pb-2 pt-5 font-semibold text-brand-700 sm:px-4"
              >
                <span className="sticky left-3 sm:left-4">{group}</span>
              </th>
            </tr>
            {catalog.features
              .filter((f) => f.group === group)
              .map((feature) => (
                <tr key={feature.key} className="border-t border-slate-100">
                  <th scope="row" className={`${stickyColumn} bg-white py-3 font-normal text-slate-900`}>
                    {feature.name}
                    <span className="hidden text-xs text-slate-600 sm:block">{feature.description}</span>
                  </th>
                  {catalog.plans.map((plan) => {
                    const value = plan.features[feature.key];
                    const text = featureValueText(feature, value);
                    return (
                      <td
                        key={plan.slug}
                        className="px-3 py-3 text-slate-700 sm:px-4"
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
