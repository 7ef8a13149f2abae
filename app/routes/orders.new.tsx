import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { FieldError, FormErrors, SubmitButton } from "~/components/ui/field";
import { formatMoney } from "~/lib/money";
import { pageMeta, pageTitle } from "~/lib/seo";
import { currentOrganisation } from "~/modules/accounts/organisations.server";
import { requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";

import type { CatalogPlan } from "~/modules/catalog/catalog.server";
import { displayPrice, orderTotal, parseInterval, seatsError, type billingIntervals } from "~/modules/catalog/pricing";

type BillingInterval = (typeof billingIntervals)[number];
import { startCheckout } from "~/modules/orders/checkout.server";
import { readForm } from "~/lib/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`Buy ${data.plan.name}`),
        description: `Choose monthly or yearly billing and how many users need the ${data.plan.name} plan, then pay securely by card.`,
        path: "/orders/new",
        noindex: true,
      })
    : [];

const orderSchema = z.object({
  plan: z.string().regex(/^[a-z0-9-]{1,50}$/),
  interval: z.enum(["month", "year"], { error: "Choose monthly or yearly billing" }),
  seats: z.coerce
    .number({ error: "Enter how many users" })
    .int("Enter a whole number of users")
    .min(1, "Enter at least 1 user")
    .max(100_000),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const organisation = await currentOrganisation(context.db, user, ["owner", "admin"]);
  const catalog = await requireCatalog(context.db);
  const query = new URL(request.url).searchParams;
  const plan = catalog.plans.find((p) => p.slug === query.get("plan") && p.salesMode === "self_serve");
  if (!plan) throw new Response("Not found", { status: 404 });
  return { plan, organisationName: organisation.name, initial: initialChoice(plan, query) };
}

/**
 * The choice the form starts from: the plan's minimum users, monthly, unless the query names
 * others (the no-JavaScript "Update total" button sends the form here by GET). Values that do not
 * fit the plan fall back to the defaults; the POST re-checks everything anyway.
 */
function initialChoice(plan: CatalogPlan, query: URLSearchParams): { interval: BillingInterval; seats: number } {
  const seats = Number(query.get("seats"));
  return {
    interval: parseInterval(query.get("interval")),
    seats: Number.isInteger(seats) && seatsError(plan, seats) === null ? seats : plan.minSeats,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const organisation = await currentOrganisation(context.db, user, ["owner", "admin"]);
  const submission = parseWithZod(await readForm(request), { schema: orderSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await startCheckout(
    { db: context.db, stripe: context.stripe, appUrl: context.config.appUrl },
    {
      accountId: organisation.organisationId,
      userId: user.userId,
      planSlug: submission.value.plan,
      interval: submission.value.interval,
      seats: submission.value.seats,
    },
  );
  if (!result.ok) {
    return data(
      submission.reply(
        result.field ? { fieldErrors: { [result.field]: [result.message] } } : { formErrors: [result.message] },
      ),
      { status: 400 },
    );
  }
  throw redirect(result.url);
}

export default function NewOrder() {
  const { plan, organisationName, initial } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { plan: plan.slug, interval: initial.interval, seats: String(initial.seats) },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: orderSchema }),
    shouldValidate: "onBlur",
  });
  const perSeat = plan.pricingModel === "per_seat";
  // The total follows the choice as it is made; without JavaScript, "Update total" reloads the
  // page with the choice in the query and the loader's `initial` carries it.
  const [choice, setChoice] = useState<{ interval: BillingInterval; seats: number }>(initial);
  const total = orderTotal(plan, choice.interval, choice.seats);
  const readChoice = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const seats = Number(data.get("seats"));
    setChoice({
      interval: data.get("interval") === "year" ? "year" : "month",
      seats: Number.isInteger(seats) && seats > 0 ? seats : choice.seats,
    });
  };
  return (
    <div className="mx-auto max-w-lg px-4 py-12">
      <h1 className="text-2xl font-bold tracking-tight">Buy {plan.name}</h1>
      <p className="mt-2 text-sm text-slate-700">
        For {organisationName}. You pay securely with Stripe; prices exclude tax. Monthly{" "}
        {displayPrice(plan, "month").amount} {displayPrice(plan, "month").unit}, yearly{" "}
        {displayPrice(plan, "year").amount} {displayPrice(plan, "year").unit}.
      </p>
      <Form
        method="post"
        {...getFormProps(form)}
        onChange={(event) => readChoice(event.currentTarget)}
        className="mt-8 space-y-5"
      >
        <FormErrors id={form.errorId} errors={form.errors} />
        <input {...getInputProps(fields.plan, { type: "hidden" })} key={fields.plan.key} />
        <div>
          <label htmlFor={fields.interval.id} className="block text-sm font-medium">
            Billing
          </label>
          <select
            {...getSelectProps(fields.interval)}
            key={fields.interval.key}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          >
            <option value="month">
              Monthly: {formatMoney(plan.prices.month)}
              {perSeat ? " per user" : ""}
            </option>
            <option value="year">
              Yearly: {formatMoney(plan.prices.year)}
              {perSeat ? " per user" : ""}
            </option>
          </select>
          <FieldError id={`${fields.interval.id}-error`} errors={fields.interval.errors} />
        </div>
        <div>
          <label htmlFor={fields.seats.id} className="block text-sm font-medium">
            Users
          </label>
          <input
            {...getInputProps(fields.seats, { type: "number" })}
            key={fields.seats.key}
            min={plan.minSeats}
            max={plan.maxSeats ?? undefined}
            aria-describedby={fields.seats.errors ? `${fields.seats.id}-error` : undefined}
            className="mt-1 block w-32 rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
          <FieldError id={`${fields.seats.id}-error`} errors={fields.seats.errors} />
        </div>
        <p className="text-slate-900" aria-live="polite" data-testid="order-total">
          Total: <strong>{formatMoney({ amount: total, currency: plan.prices[choice.interval].currency })}</strong> per{" "}
          {choice.interval}, excluding tax
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton>Continue to payment</SubmitButton>
          {/* After the payment button, so Enter still pays; with JavaScript the total updates itself. */}
          <noscript>
            <button
              type="submit"
              formMethod="get"
              formNoValidate
              className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 underline"
              data-testid="update-total"
            >
              Update total
            </button>
          </noscript>
        </div>
      </Form>
    </div>
  );
}
