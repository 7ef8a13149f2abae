import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ComparisonTable } from "~/components/pricing/comparison-table";
import { Faq } from "~/components/pricing/faq";
import { IntervalSwitch } from "~/components/pricing/interval-switch";
import { PlanCard } from "~/components/pricing/plan-card";
import { cachedPageHeaders } from "~/lib/page-cache";
import { pageMeta, pageTitle, publicOrigin, summarise } from "~/lib/seo";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { annualSavingPercent, parseInterval } from "~/modules/catalog/pricing";
import { productJsonLd } from "~/modules/catalog/structured-data";
import { recordCustomerSignal } from "~/modules/success/signals.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const interval = parseInterval(new URL(request.url).searchParams.get("interval"));
  // Anonymous visitors are served from the page cache (ADR 3) and never reach this; signed-in
  // requests bypass it, so a customer's look at prices is counted as intent (issue 16 item 4).
  const [catalog] = await Promise.all([
    requireCatalog(context.db),
    recordCustomerSignal(request, context, "pricing_viewed"),
  ]);
  return { catalog, interval };
}

export const headers: HeadersFunction = () => cachedPageHeaders(["interval"]);

const planList = new Intl.ListFormat("en-GB", { type: "conjunction" });

// `interval` changes the prices shown, not what the page is about: both share the canonical /pricing.
export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return [];
  const { catalog } = data;
  return pageMeta(matches, {
    title: pageTitle("Pricing and plans"),
    description: summarise(
      `Compare the ${planList.format(catalog.plans.map((p) => p.name))} plans of ${catalog.product.name}. Pay monthly or yearly, and try a self-serve plan free without a card.`,
    ),
    path: "/pricing",
    jsonLd: productJsonLd(catalog, publicOrigin(matches)),
  });
};

export default function PricingPage() {
  const { catalog, interval } = useLoaderData<typeof loader>();
  const bestSaving = Math.max(0, ...catalog.plans.map(annualSavingPercent));
  return (
    <div className="mx-auto max-w-6xl px-4 py-12 sm:py-16">
      <header className="mx-auto max-w-2xl text-center">
        <h1 className="text-3xl font-bold tracking-tight sm:text-5xl">Plans and pricing</h1>
        <p className="mt-4 text-lg text-slate-700">{catalog.product.tagline} Start free, no card needed.</p>
      </header>
      <div className="mt-8">
        <IntervalSwitch interval={interval} annualSaving={bestSaving} />
      </div>
      <div className="mt-10 grid gap-6 md:grid-cols-2 lg:grid-cols-4">
        {catalog.plans.map((plan) => (
          <PlanCard key={plan.slug} plan={plan} features={catalog.features} interval={interval} />
        ))}
      </div>
      <section aria-labelledby="compare-heading" className="mt-20">
        <h2 id="compare-heading" className="text-2xl font-bold tracking-tight">
          Compare plans
        </h2>
        <div className="mt-6">
          <ComparisonTable catalog={catalog} />
        </div>
      </section>
      <section aria-labelledby="faq-heading" className="mx-auto mt-20 max-w-3xl">
        <h2 id="faq-heading" className="text-2xl font-bold tracking-tight">
          Frequently asked questions
        </h2>
        <div className="mt-6">
          <Faq entries={catalog.product.faq} />
        </div>
      </section>
    </div>
  );
}
