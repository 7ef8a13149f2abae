import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ButtonLink } from "~/components/ui/button-link";
import { cachedPageHeaders } from "~/lib/page-cache";
import { pageMeta, summarise } from "~/lib/seo";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { displayPrice } from "~/modules/catalog/pricing";

export async function loader({ context }: LoaderFunctionArgs) {
  const catalog = await requireCatalog(context.db);
  return { product: catalog.product, plans: catalog.plans };
}

export const headers: HeadersFunction = () => cachedPageHeaders();

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return [];
  // The home page leads with the brand rather than the "<Page> | <Site>" form.
  return pageMeta(matches, {
    title: `${data.product.name}: ${data.product.tagline}`,
    description: summarise(data.product.description),
    path: "/",
  });
};

const benefits = [
  {
    title: "Start in minutes",
    text: "Sign up with your work email and your workspace is ready before your coffee is. No sales call, no card.",
  },
  {
    title: "Plans that grow with you",
    text: "Add people, switch plans or move to yearly billing whenever you like. You only pay for what you use.",
  },
  {
    title: "Help when you need it",
    text: "Our onboarding team sets up larger workspaces for you and checks in during your first weeks.",
  },
];

export default function HomePage() {
  const { product, plans } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="bg-gradient-to-b from-brand-50 to-white">
        <div className="mx-auto max-w-4xl px-4 py-16 text-center sm:py-24">
          <h1 className="text-4xl font-bold tracking-tight sm:text-6xl">{product.tagline}</h1>
          <p className="mx-auto mt-6 max-w-2xl text-lg text-slate-700">{product.description}</p>
          <div className="mt-10 flex flex-col justify-center gap-3 sm:flex-row">
            <ButtonLink to="/pricing">Start a free trial</ButtonLink>
            <ButtonLink to="/pricing" variant="secondary">
              Compare plans
            </ButtonLink>
          </div>
        </div>
      </section>
      <section aria-labelledby="benefits-heading" className="mx-auto max-w-6xl px-4 py-16">
        <h2 id="benefits-heading" className="sr-only">
          Why teams choose {product.name}
        </h2>
        <ul className="grid gap-8 md:grid-cols-3">
          {benefits.map((benefit) => (
            <li key={benefit.title}>
              <h3 className="text-lg font-semibold">{benefit.title}</h3>
              <p className="mt-2 text-slate-700">{benefit.text}</p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="plans-heading" className="border-t border-slate-200 bg-slate-50">
        <div className="mx-auto max-w-6xl px-4 py-16">
          <h2 id="plans-heading" className="text-2xl font-bold tracking-tight">
            Plans for every stage
          </h2>
          <ul className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {plans.map((plan) => {
              const price = displayPrice(plan, "month");
              return (
                <li key={plan.slug} className="rounded-xl bg-white p-5 ring-1 ring-slate-200">
                  <h3 className="font-semibold">
                    <Link to={`/plans/${plan.slug}`} className="hover:underline">
                      {plan.name}
                    </Link>
                  </h3>
                  <p className="mt-1 text-sm text-slate-700">{plan.summary}</p>
                  <p className="mt-3 text-sm">
                    {price.prefix ? `${price.prefix} ` : ""}
                    <span className="font-semibold">{price.amount}</span> {price.unit}
                  </p>
                </li>
              );
            })}
          </ul>
        </div>
      </section>
    </>
  );
}
