import type { CatalogDefinition } from "../../db/seed/demo-catalog";
import type { Catalog } from "../../app/modules/catalog/catalog.server";

/** The catalog as loadCatalog would return it after seeding the definition. */
export function catalogFrom(definition: CatalogDefinition): Catalog {
  return {
    product: {
      slug: definition.slug,
      name: definition.name,
      tagline: definition.tagline,
      description: definition.description,
      faq: definition.faq,
    },
    features: definition.features.map((feature) => ({ ...feature, unit: feature.unit ?? null })),
    plans: definition.plans.map((plan) => ({
      slug: plan.slug,
      name: plan.name,
      summary: plan.summary,
      description: plan.description,
      salesMode: plan.salesMode,
      pricingModel: plan.pricingModel,
      minSeats: plan.minSeats,
      maxSeats: plan.maxSeats,
      trialDays: plan.trialDays,
      highlighted: plan.highlighted ?? false,
      prices: {
        month: { amount: plan.prices.month, currency: plan.currency },
        year: { amount: plan.prices.year, currency: plan.currency },
      },
      features: plan.features,
      milestones: plan.milestones,
    })),
  };
}
