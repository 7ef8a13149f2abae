import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { formatMoney } from "~/lib/money";
import { noticeText } from "~/lib/notices";
import { pageMeta, pageTitle } from "~/lib/seo";
import { currentOrganisation } from "~/modules/accounts/organisations.server";
import { requireUser, requireVerifiedUser } from "~/modules/accounts/sessions.server";
import {
  applyPlanChange,
  billingPortalUrl,
  cancelScheduledChange,
  currentChoice,
  previewPlanChange,
} from "~/modules/billing/plan-change.server";
import { currentSubscription } from "~/modules/billing/subscriptions.server";
import { billingSummary } from "~/modules/billing/billing-summary.server";
import { resumeSubscription } from "~/modules/billing/resume.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { lostFeatures } from "~/modules/catalog/plan-differences";
import { readForm } from "~/lib/forms.server";
import { longDate } from "~/lib/dates";
import { cardText } from "~/components/service-card";
import { recordSignal } from "~/modules/success/signals.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Billing"),
    description:
      "See your organisation's plan, users and billing interval, change your subscription, update your card or cancel.",
    path: "/account/billing",
    noindex: true,
  });

const choiceSchema = z.object({
  plan: z.string().regex(/^[a-z0-9-]{1,50}$/, "Choose a plan"),
  interval: z.enum(["month", "year"], { error: "Choose monthly or yearly billing" }),
  seats: z.coerce
    .number({ error: "Enter how many users" })
    .int("Enter a whole number of users")
    .min(1, "Enter at least 1 user")
    .max(100_000, "Enter at most 100,000 users"),
});

const actionSchema = z.discriminatedUnion("intent", [
  choiceSchema.extend({ intent: z.literal("change"), quote: z.string().max(2000).optional() }),
  z.object({ intent: z.literal("keep-plan") }),
  z.object({ intent: z.literal("portal") }),
  z.object({ intent: z.literal("resume") }),
]);

const MANAGERS = ["owner", "admin"] as const;

function billingDeps(context: LoaderFunctionArgs["context"]) {
  return { db: context.db, stripe: context.stripe, secret: context.config.sessionSecret };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const member = await currentOrganisation(context.db, user);
  if (!MANAGERS.some((role) => role === member.role))
    return {
      allowed: false as const,
      name: user.name,
      email: user.email,
      organisationName: member.name,
      role: member.role,
    };
  const organisation = member;
  // Intent for the trial's PQL score and the expansion playbook (issue 16); staff looking are not the customer.
  const signal = (kind: "billing_viewed" | "upgrade_preview") =>
    user.staffRole ? Promise.resolve() : recordSignal(context.db, organisation.organisationId, kind);
  await signal("billing_viewed");
  const catalog = await requireCatalog(context.db);
  const subscription = await currentSubscription(context.db, organisation.organisationId);
  const current = subscription ? await currentChoice(context.db, subscription) : null;
  const url = new URL(request.url);
  const asked = url.searchParams.has("plan") ? choiceSchema.safeParse(Object.fromEntries(url.searchParams)) : null;
  let preview = null;
  let previewError: string | null =
    asked && !asked.success ? (asked.error.issues[0]?.message ?? "Check your choice") : null;
  if (asked?.success) {
    const result = await previewPlanChange(billingDeps(context), organisation.organisationId, {
      planSlug: asked.data.plan,
      interval: asked.data.interval,
      seats: asked.data.seats,
    });
    if (result.ok) preview = result.preview;
    else previewError = result.message;
    if (preview?.kind === "upgrade") await signal("upgrade_preview");
  }
  const invoicesAfter = url.searchParams.get("invoices_after");
  const summary = subscription
    ? await billingSummary({ db: context.db, stripe: context.stripe }, organisation.organisationId, {
        ...(invoicesAfter && /^in_[A-Za-z0-9]{1,100}$/.test(invoicesAfter) ? { startingAfter: invoicesAfter } : {}),
      })
    : null;
  const lost =
    current && preview?.kind === "downgrade" ? lostFeatures(catalog, current.planSlug, preview.choice.planSlug) : [];
  return {
    allowed: true as const,
    summary,
    lost,
    organisationName: organisation.name,
    plans: catalog.plans
      .filter((p) => p.salesMode === "self_serve")
      .map((p) => ({
        slug: p.slug,
        name: p.name,
        prices: p.prices,
        perSeat: p.pricingModel === "per_seat",
        minSeats: p.minSeats,
        maxSeats: p.maxSeats,
      })),
    subscription: subscription && {
      status: subscription.status,
      currentPeriodEnd: subscription.currentPeriodEnd,
      cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      paymentFailed: subscription.paymentFailedAt !== null,
      scheduledChange: subscription.scheduledChange,
    },
    current,
    asked: asked?.success ? asked.data : null,
    preview,
    previewError,
    notice: noticeText(url.searchParams.get("notice")),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const organisation = await currentOrganisation(context.db, user, [...MANAGERS]);
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success)
    return data({ message: parsed.error.issues[0]?.message ?? "Check your choice" }, { status: 400 });
  const value = parsed.data;
  const accountId = organisation.organisationId;
  if (value.intent === "portal") {
    const portal = await billingPortalUrl(billingDeps(context), accountId, `${context.config.appUrl}/account/billing`);
    if (!portal.ok) return data({ message: portal.message }, { status: 400 });
    throw redirect(portal.url);
  }
  if (value.intent === "resume") {
    const resumed = await resumeSubscription({ db: context.db, stripe: context.stripe }, accountId, user.userId);
    if (!resumed.ok) return data({ message: resumed.message }, { status: 400 });
    throw redirect("/account/billing?notice=subscription-resumed");
  }
  if (value.intent === "keep-plan") {
    const kept = await cancelScheduledChange(billingDeps(context), accountId, user.userId);
    if (!kept.ok) return data({ message: kept.message }, { status: 400 });
    throw redirect("/account/billing?notice=downgrade-cancelled");
  }
  const result = await applyPlanChange(billingDeps(context), {
    accountId,
    userId: user.userId,
    choice: { planSlug: value.plan, interval: value.interval, seats: value.seats },
    quote: value.quote,
  });
  if (!result.ok) return data({ message: result.message }, { status: 400 });
  throw redirect(`/account/billing?notice=${result.kind === "upgrade" ? "plan-upgraded" : "downgrade-scheduled"}`);
}

const statusText: Record<string, string> = {
  active: "Active",
  trialing: "Active, in its trial period",
  past_due: "Payment failed: we are retrying",
  unpaid: "Paused: payment needed",
  paused: "Paused",
  incomplete: "Waiting for the first payment",
};

const day = longDate;

/** Stripe's invoice statuses in words. */
const invoiceStatus: Record<string, string> = {
  paid: "Paid",
  open: "Due",
  void: "Cancelled",
  uncollectible: "Not collected",
};

type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { allowed: true }>;

export default function Billing() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.allowed)
    return (
      <div className="space-y-4" data-testid="billing-refused">
        <h1 className="text-2xl font-bold tracking-tight">Billing</h1>
        <p className="text-slate-900">Only owners and admins manage billing.</p>
        <p className="text-sm text-slate-700">
          You are signed in as {loaded.name} ({loaded.email}), a {loaded.role} of {loaded.organisationName}. Ask an
          owner or admin of your organisation to change the plan, the users or the card.
        </p>
      </div>
    );
  return <BillingPage loaded={loaded} />;
}

function BillingPage({ loaded }: { loaded: Loaded }) {
  const { organisationName, plans, subscription, current, asked, preview, previewError, notice, summary, lost } =
    loaded;
  const actionData = useActionData<typeof action>();
  const planName = (slug: string) => plans.find((p) => p.slug === slug)?.name ?? slug;
  const choice =
    asked ?? (current ? { plan: current.planSlug, interval: current.interval, seats: current.seats } : null);
  return (
    <div className="space-y-10">
      <header>
        <h1 className="text-2xl font-bold tracking-tight">Billing</h1>
        <p className="mt-1 text-sm text-slate-700">{organisationName}</p>
      </header>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors id="billing-errors" errors={actionData ? [actionData.message] : undefined} />

      {!subscription || !current ? (
        <p className="text-slate-700">
          Your organisation has no subscription yet.{" "}
          <a href="/pricing" className="font-medium text-brand-700 underline">
            Choose a plan
          </a>
          .
        </p>
      ) : (
        <>
          <section aria-labelledby="plan-heading" className="rounded-2xl p-6 ring-1 ring-slate-200">
            <h2 id="plan-heading" className="text-lg font-semibold">
              Your plan
            </h2>
            <p className="mt-2 text-slate-900" data-testid="current-plan">
              {planName(current.planSlug)} · {current.seats} {current.seats === 1 ? "user" : "users"} · billed{" "}
              {current.interval === "year" ? "yearly" : "monthly"}
            </p>
            <p
              className="mt-1 text-sm text-slate-700"
              data-testid="subscription-status"
              data-status={subscription.status}
            >
              {statusText[subscription.status] ?? subscription.status}
              {subscription.currentPeriodEnd
                ? ` · ${subscription.cancelAtPeriodEnd ? "ends" : "renews"} on ${day(subscription.currentPeriodEnd)}`
                : ""}
            </p>
            {subscription.paymentFailed ? (
              <p
                role="alert"
                className="mt-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
              >
                Your last payment did not go through. Update your card under “Cards, invoices and cancellation” to
                settle it.
              </p>
            ) : null}
            {subscription.scheduledChange ? (
              <div
                className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
                data-testid="scheduled-change"
              >
                From {day(subscription.scheduledChange.effectiveAt)}: {planName(subscription.scheduledChange.planSlug)}{" "}
                · {subscription.scheduledChange.seats} users · billed{" "}
                {subscription.scheduledChange.interval === "year" ? "yearly" : "monthly"}.
                <Form method="post" className="mt-2">
                  <input type="hidden" name="intent" value="keep-plan" />
                  <SubmitButton variant="secondary">Keep my current plan</SubmitButton>
                </Form>
              </div>
            ) : null}
            {subscription.cancelAtPeriodEnd ? (
              <div
                className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
                data-testid="ending-notice"
              >
                Your subscription is cancelled and ends
                {subscription.currentPeriodEnd ? ` on ${day(subscription.currentPeriodEnd)}` : " at the period end"}.
                Resume it to keep your service; nothing is charged until the next renewal.
                <Form method="post" className="mt-2">
                  <input type="hidden" name="intent" value="resume" />
                  <SubmitButton>Resume my subscription</SubmitButton>
                </Form>
              </div>
            ) : null}
            {summary && !summary.available ? (
              <p className="mt-4 text-sm text-slate-700" data-testid="billing-unavailable">
                {summary.message}
              </p>
            ) : null}
            {summary?.available ? (
              <dl className="mt-4 grid gap-3 text-sm sm:grid-cols-2">
                <div>
                  <dt className="text-slate-600">Next invoice</dt>
                  <dd data-testid="next-invoice">
                    {summary.nextInvoice
                      ? `${formatMoney(summary.nextInvoice.total)} on ${day(summary.nextInvoice.date)}`
                      : "None: your subscription does not renew"}
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-600">Card</dt>
                  <dd data-testid="card-on-file">
                    {summary.card
                      ? `${cardText(summary.card)}, expires ${String(summary.card.expMonth).padStart(2, "0")}/${summary.card.expYear}`
                      : "No card on file"}
                  </dd>
                </div>
              </dl>
            ) : null}
            <Form method="post" className="mt-6">
              <input type="hidden" name="intent" value="portal" />
              <SubmitButton variant="secondary">
                {summary?.available && !summary.card ? "Add a card" : "Cards, invoices and cancellation"}
              </SubmitButton>
            </Form>
          </section>

          {summary?.available ? (
            <section aria-labelledby="invoices-heading">
              <h2 id="invoices-heading" className="text-lg font-semibold">
                Invoices
              </h2>
              {summary.invoices.length === 0 ? (
                <p className="mt-2 text-sm text-slate-700">No invoices yet.</p>
              ) : (
                <ul className="mt-4 divide-y divide-slate-100 rounded-xl text-sm ring-1 ring-slate-200">
                  {summary.invoices.map((invoice) => (
                    <li
                      key={invoice.id}
                      className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-3"
                      data-testid="invoice-row"
                    >
                      <span className="min-w-0">
                        {longDate(invoice.issuedAt)}
                        {invoice.number ? <span className="text-slate-600"> · {invoice.number}</span> : null}
                      </span>
                      <span className="flex flex-wrap items-center gap-3">
                        <span className="font-medium">{formatMoney(invoice.total)}</span>
                        <span className="text-slate-700">{invoiceStatus[invoice.status] ?? "In progress"}</span>
                        {invoice.hostedUrl ? (
                          <a href={invoice.hostedUrl} className="text-brand-700 underline">
                            View<span className="sr-only"> the invoice of {longDate(invoice.issuedAt)}</span>
                          </a>
                        ) : null}
                        {invoice.pdfUrl ? (
                          <a href={invoice.pdfUrl} className="text-brand-700 underline">
                            PDF<span className="sr-only"> of the invoice of {longDate(invoice.issuedAt)}</span>
                          </a>
                        ) : null}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {summary.nextCursor ? (
                <a
                  href={`/account/billing?invoices_after=${encodeURIComponent(summary.nextCursor)}`}
                  className="mt-3 inline-block text-sm font-medium text-brand-700 underline"
                >
                  Older invoices
                </a>
              ) : null}
            </section>
          ) : null}

          {choice && !subscription.cancelAtPeriodEnd ? (
            <section aria-labelledby="change-heading">
              <h2 id="change-heading" className="text-lg font-semibold">
                Change your plan
              </h2>
              <p className="mt-1 text-sm text-slate-700">
                Upgrades apply now and you pay the prorated difference; downgrades apply when the period you have paid
                for ends. Prices exclude tax.
              </p>
              <Form method="get" className="mt-4 flex flex-wrap items-end gap-4" key={JSON.stringify(choice)}>
                <div>
                  <label htmlFor="change-plan" className="block text-sm font-medium">
                    Plan
                  </label>
                  <select
                    id="change-plan"
                    name="plan"
                    defaultValue={choice.plan}
                    className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
                  >
                    {plans.map((plan) => (
                      <option key={plan.slug} value={plan.slug}>
                        {plan.name}: {formatMoney(plan.prices.month)}/month or {formatMoney(plan.prices.year)}/year
                        {plan.perSeat ? " per user" : ""}
                      </option>
                    ))}
                  </select>
                </div>
                <div>
                  <label htmlFor="change-interval" className="block text-sm font-medium">
                    Billing
                  </label>
                  <select
                    id="change-interval"
                    name="interval"
                    defaultValue={choice.interval}
                    className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
                  >
                    <option value="month">Monthly</option>
                    <option value="year">Yearly</option>
                  </select>
                </div>
                <div>
                  <label htmlFor="change-seats" className="block text-sm font-medium">
                    Users
                  </label>
                  <input
                    id="change-seats"
                    name="seats"
                    type="number"
                    min={1}
                    defaultValue={choice.seats}
                    className="mt-1 block w-28 rounded-md border border-slate-300 px-3 py-2 text-sm"
                  />
                </div>
                <SubmitButton variant="secondary">Review the change</SubmitButton>
              </Form>
              {previewError ? <FormErrors id="preview-errors" errors={[previewError]} /> : null}
              {preview ? (
                <div
                  className="mt-6 rounded-2xl bg-slate-50 p-6 ring-1 ring-slate-200"
                  data-testid="change-preview"
                  data-kind={preview.kind}
                >
                  <h3 className="font-semibold">
                    {preview.kind === "downgrade" ? "Downgrade" : preview.dueNow?.amount ? "Upgrade" : "Change"} to{" "}
                    {planName(preview.choice.planSlug)}, {preview.choice.seats}{" "}
                    {preview.choice.seats === 1 ? "user" : "users"}, billed{" "}
                    {preview.choice.interval === "year" ? "yearly" : "monthly"}
                  </h3>
                  {preview.kind === "downgrade" && lost.length ? (
                    <div className="mt-2 text-sm text-slate-900" data-testid="lost-features">
                      <p className="font-medium">Your organisation loses:</p>
                      <ul className="mt-1 list-disc space-y-1 pl-5">
                        {lost.map((feature) => (
                          <li key={feature.key}>
                            {feature.kind === "flag"
                              ? feature.name
                              : `${feature.name}: ${feature.then} instead of ${feature.now}`}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ) : null}
                  {preview.dueNow ? (
                    <p className="mt-2 text-slate-900">
                      Due today (prorated): <strong data-testid="due-now">{formatMoney(preview.dueNow)}</strong>,
                      charged to your card on file. Then {formatMoney(preview.recurring)} per {preview.choice.interval}.
                    </p>
                  ) : (
                    <p className="mt-2 text-slate-900">
                      Nothing to pay now. From {day(preview.effectiveAt)} you pay {formatMoney(preview.recurring)} per{" "}
                      {preview.choice.interval}.
                    </p>
                  )}
                  <Form method="post" className="mt-4">
                    <input type="hidden" name="intent" value="change" />
                    <input type="hidden" name="plan" value={preview.choice.planSlug} />
                    <input type="hidden" name="interval" value={preview.choice.interval} />
                    <input type="hidden" name="seats" value={preview.choice.seats} />
                    {preview.quote ? <input type="hidden" name="quote" value={preview.quote} /> : null}
                    <SubmitButton>
                      {preview.kind === "downgrade"
                        ? "Schedule the downgrade"
                        : preview.dueNow?.amount
                          ? `Pay ${formatMoney(preview.dueNow)} and upgrade`
                          : "Apply the change"}
                    </SubmitButton>
                  </Form>
                </div>
              ) : null}
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}
