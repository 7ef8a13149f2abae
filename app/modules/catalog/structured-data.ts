import { toMajorUnitString } from "~/lib/money";
import type { Catalog } from "./catalog.server";

/** schema.org Product with one Offer per plan and billing interval, for search results. */
export function productJsonLd(catalog: Catalog, appUrl: string): Record<string, unknown> {
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    name: catalog.product.name,
    description: catalog.product.description,
    url: `${appUrl}/pricing`,
    brand: { "@type": "Brand", name: catalog.product.name },
    offers: catalog.plans.flatMap((plan) =>
      (["month", "year"] as const).map((interval) => ({
        "@type": "Offer",
        name: `${plan.name} (${interval === "month" ? "monthly" : "yearly"})`,
        url: `${appUrl}/plans/${plan.slug}`,
        price: toMajorUnitString(plan.prices[interval]),
        priceCurrency: plan.prices[interval].currency,
        availability: "https://schema.org/InStock",
        priceSpecification: {
          "@type": "UnitPriceSpecification",
          price: toMajorUnitString(plan.prices[interval]),
          priceCurrency: plan.prices[interval].currency,
          billingDuration: interval === "month" ? "P1M" : "P1Y",
          ...(plan.pricingModel === "per_seat"
            ? { referenceQuantity: { "@type": "QuantitativeValue", value: 1, unitText: "user" } }
            : {}),
        },
      })),
    ),
  };
}
