import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { ButtonLink } from "~/components/ui/button-link";
import type { loader as rootLoader } from "~/root";
import { PriceTag } from "~/components/pricing/price-tag";
import { cachedPageHeaders } from "~/lib/page-cache";
import { pageMeta, pageTitle, summarise } from "~/lib/seo";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { billingIntervals, featureValueText, seatsText } from "~/modules/catalog/pricing";
import { productJsonLd } from "~/modules/catalog/structured-data";
import { getSessionUser } from "~/modules/accounts/sessions.server";
import { trialUnavailableReason } from "~/modules/trials/eligibility.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const catalog = await requireCatalog(context.db);
  const plan = catalog.plans.find((p) => p.slug === params.slug);
  if (!plan) throw new Response("Plan not found", { status: 404 });
  // Signed-in requests bypass the page cache, so the page can say why their organisation has no trial.
  const user = await getSessionUser(request, context);
  return {
    plan,
    trialUnavailable: user ? await trialUnavailableReason(context.db, catalog, user) : null,
    features: catalog.features,
    jsonLd: productJsonLd({ ...catalog, plans: [plan] }, context.config.appUrl),
  };
}

export const headers: HeadersFunction = () => cachedPageHeaders();

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return [];
  const { plan, jsonLd } = data;
  return pageMeta(matches, {
    title: pageTitle(`${plan.name} plan`),
    description: summarise(`${plan.summary} ${plan.description}`),
    path: `/plans/${plan.slug}`,
    jsonLd,
  });
};

export default function PlanPage() {
  const { plan, features, trialUnavailable } = useLoaderData<typeof loader>();
  const signedIn = Boolean(useRouteLoaderData<typeof rootLoader>("root")?.user);
  const trial = plan.salesMode === "self_serve" && plan.trialDays > 0;
  const groups = [...new Set(features.map((f) => f.group))];
  return (
    <div className="mx-auto max-w-4xl px-4 py-12 sm:py-16">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/pricing" className="text-brand-700 hover:underline">
          ← All plans
        </Link>
      </nav>
      <header className="mt-4">
        <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">{plan.name}</h1>
        <p className="mt-2 text-lg text-slate-700">{plan.summary}</p>
        <p className="mt-4 text-slate-700">{plan.description}</p>
      </header>

      <section aria-labelledby="price-heading" className="mt-10 rounded-2xl p-6 ring-1 ring-slate-200">
        <h2 id="price-heading" className="sr-only">
          Price
        </h2>
        <div className="grid gap-6 sm:grid-cols-2">
          {billingIntervals.map((interval) => (
            <div key={interval}>
              <p className="text-sm font-semibold text-slate-600">
                {interval === "month" ? "Billed monthly" : "Billed yearly"}
              </p>
              <div className="mt-1">
                <PriceTag plan={plan} interval={interval} />
              </div>
            </div>
          ))}
        </div>
        <p className="mt-6 text-sm text-slate-700">
          {seatsText(plan)}.{" "}
          {plan.trialDays > 0
            ? `Try it free for ${plan.trialDays} days; no card needed.`
            : "Our team shapes this plan with you; there is no self-service trial."}
        </p>
        {trial ? (
          <div className="mt-6">
            {signedIn ? (
              <>
                {trialUnavailable ? (
                  <p
                    className="mb-4 rounded-md bg-slate-50 p-3 text-sm text-slate-800 ring-1 ring-slate-200"
                    data-testid="trial-unavailable"
                  >
                    {trialUnavailable}
                  </p>
                ) : null}
                <div className="flex flex-wrap gap-3">
                  {trialUnavailable ? null : (
                    <Form method="post" action="/trials/start">
                      <input type="hidden" name="plan" value={plan.slug} />
                      <button
                        type="submit"
                        className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700"
                      >
                        Start free trial
                      </button>
                    </Form>
                  )}
                  <ButtonLink to={`/orders/new?plan=${plan.slug}`} variant={trialUnavailable ? "primary" : "secondary"}>
                    Buy now
                  </ButtonLink>
                </div>
              </>
            ) : (
              <div className="flex flex-wrap gap-3">
                <ButtonLink to={`/signup?plan=${plan.slug}`}>Start free trial</ButtonLink>
                <ButtonLink to={`/signup?plan=${plan.slug}&intent=buy`} variant="secondary">
                  Buy now
                </ButtonLink>
              </div>
            )}
          </div>
        ) : null}
        {plan.salesMode === "contact_sales" ? (
          <div className="mt-6">
            <ButtonLink to={`/contact-sales?plan=${plan.slug}`}>Talk to us</ButtonLink>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="features-heading" className="mt-12">
        <h2 id="features-heading" className="text-2xl font-bold tracking-tight">
          What is included
        </h2>
        {groups.map((group) => (
          <div key={group} className="mt-6">
            <h3 className="font-semibold text-brand-700">{group}</h3>
            <dl className="mt-2 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
              {features
                .filter((f) => f.group === group)
                .map((feature) => (
                  <div key={feature.key} className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:justify-between">
                    <dt className="text-slate-900">{feature.name}</dt>
                    <dd className="text-slate-700" data-testid={`feature-${feature.key}`}>
                      {featureValueText(feature, plan.features[feature.key])}
                    </dd>
                  </div>
                ))}
            </dl>
          </div>
        ))}
      </section>
    </div>
  );
}
