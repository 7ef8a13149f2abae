import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { invalidSubmission, readForm, tooManyRequests } from "~/lib/forms.server";
import { consumeRateLimit, retryAfterText } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { noticeText } from "~/lib/notices";
import { pageMeta, pageTitle } from "~/lib/seo";
import { createOrganisation, listMemberships, requireMembership } from "~/modules/accounts/organisations.server";
import { createOrganisationSchema } from "~/modules/accounts/schemas";
import { requireUser, requireVerifiedUser, setSessionOrganisation } from "~/modules/accounts/sessions.server";
import { CONFIRM_EMAIL_PATH } from "~/modules/accounts/confirm-email-path";
import { TrialCard } from "~/components/trial-card";
import { ServiceCard } from "~/components/service-card";
import { useLiveRevalidation } from "~/components/use-live-revalidation";
import { trialOverview } from "~/modules/trials/trials.server";
import { serviceCards } from "~/modules/service-overview.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Your account"),
    description:
      "Your workspaces at a glance: your trial, the setup of what you bought, and starting a new organisation.",
    path: "/account",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const organisations = await listMemberships(context.db, user.userId);
  const currentId = user.organisationId ?? organisations[0]?.organisationId ?? null;
  const role = organisations.find((organisation) => organisation.organisationId === currentId)?.role;
  const manager = role === "owner" || role === "admin";
  const [services, trial] = currentId
    ? await Promise.all([
        serviceCards({ db: context.db, stripe: context.stripe }, currentId, manager),
        trialOverview(context.db, currentId),
      ])
    : [{ cards: [], billingUnavailable: null, paymentFailing: false }, null];
  return {
    user: { name: user.name, email: user.email, emailVerified: user.emailVerified },
    organisations,
    currentId,
    services: services.cards,
    billingUnavailable: services.billingUnavailable,
    trial,
    paymentFailing: services.paymentFailing,
    now: Date.now(),
    notice: noticeText(new URL(request.url).searchParams.get("notice")),
  };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("switch"), organisationId: z.string() }),
  z.object({ intent: z.literal("create"), name: createOrganisationSchema.shape.name }),
]);

export const headers = retryAfterHeaders;

/**
 * Switches the session's organisation or creates one. Both need a confirmed address; creating is
 * limited to 5 a day per person (each organisation brings its own invitation budget), paid before
 * anything is saved, and a refusal says when to try again (429 with Retry-After).
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const submission = parseWithZod(await readForm(request), { schema: intentSchema });
  if (submission.status !== "success") return invalidSubmission(submission.reply());
  const value = submission.value;
  if (value.intent === "switch") {
    const membership = await requireMembership(context.db, user.userId, value.organisationId);
    await setSessionOrganisation(context.db, user.sessionId, membership.organisationId);
  } else {
    const limit = await consumeRateLimit(context.db, "organisationCreate", user.userId);
    if (!limit.allowed) {
      const wait = retryAfterText(limit.retryAfterSeconds);
      return tooManyRequests(
        submission.reply({ formErrors: [`You created several organisations today. Try again in ${wait}.`] }),
        limit.retryAfterSeconds,
      );
    }
    const organisationId = await context.db.transaction((tx) => createOrganisation(tx, user.userId, value.name));
    await setSessionOrganisation(context.db, user.sessionId, organisationId);
  }
  throw redirect("/account");
}

export default function AccountOverview() {
  const { user, organisations, currentId, services, billingUnavailable, trial, paymentFailing, now, notice } =
    useLoaderData<typeof loader>();
  const moving = services.some(
    (service) => service.state.kind === "setting_up" || (service.state.kind === "active" && service.state.changing),
  );
  useLiveRevalidation(moving);
  // A running trial's checklist sits in the trial card, beside its days left; its service card leaves it out.
  const trialChecklist =
    trial?.status === "active"
      ? (services.find((service) => service.instanceId === trial.instanceId)?.checklist ?? null)
      : null;
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "create-organisation",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: intentSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="space-y-10">
      {notice ? <Notice>{notice}</Notice> : null}
      <header>
        <h1 className="text-2xl font-bold tracking-tight">Hello, {user.name}</h1>
        <p className="mt-1 text-sm text-slate-700">Signed in as {user.email}</p>
      </header>
      {user.emailVerified ? null : (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <p>
            Confirm your email address with the link we sent you: until then you cannot start a trial, order, invite
            people or create organisations.
          </p>
          <Form method="post" action={CONFIRM_EMAIL_PATH} className="mt-2">
            <button type="submit" className="font-medium underline">
              Send the link again
            </button>
          </Form>
        </div>
      )}
      {paymentFailing && !services.some((service) => service.state.kind === "paused") ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          Your last payment did not go through.{" "}
          <Link to="/account/billing" className="font-medium underline">
            Update your card on the billing page
          </Link>{" "}
          to keep your service running.
        </p>
      ) : null}
      {trial && trial.status !== "converted" ? <TrialCard trial={trial} now={now} checklist={trialChecklist} /> : null}
      {services.length ? (
        <section aria-labelledby="services-heading">
          {/* Without JavaScript the page reloads itself while a service is being set up or changed. */}
          {moving ? (
            <noscript>
              <meta httpEquiv="refresh" content="5" />
            </noscript>
          ) : null}
          <h2 id="services-heading" className="text-lg font-semibold">
            Your services
          </h2>
          {billingUnavailable ? (
            <p className="mt-2 text-sm text-slate-700" data-testid="billing-unavailable">
              {billingUnavailable}
            </p>
          ) : null}
          <div className="mt-4 grid gap-4 lg:grid-cols-2" aria-live="polite">
            {services.map((service) => (
              <ServiceCard
                key={service.instanceId}
                card={service}
                checklistElsewhere={Boolean(trialChecklist) && service.instanceId === trial?.instanceId}
              />
            ))}
          </div>
        </section>
      ) : null}
      <section aria-labelledby="organisations-heading">
        <h2 id="organisations-heading" className="text-lg font-semibold">
          Your organisations
        </h2>
        <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
          {organisations.map((organisation) => (
            <li
              key={organisation.organisationId}
              className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
            >
              <div>
                <p className="font-medium">
                  {organisation.name}
                  {organisation.organisationId === currentId ? (
                    <span className="ml-2 text-xs font-semibold text-brand-700">Current</span>
                  ) : null}
                </p>
                <p className="text-sm capitalize text-slate-600">{organisation.role}</p>
              </div>
              <div className="flex items-center gap-3">
                <Link
                  to={`/orgs/${organisation.organisationId}/members`}
                  className="text-sm font-medium text-brand-700 underline"
                >
                  Team<span className="sr-only"> of {organisation.name}</span>
                </Link>
                {organisation.organisationId === currentId ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="switch" />
                    <input type="hidden" name="organisationId" value={organisation.organisationId} />
                    <SubmitButton variant="secondary">
                      Switch<span className="sr-only"> to {organisation.name}</span>
                    </SubmitButton>
                  </Form>
                )}
              </div>
            </li>
          ))}
        </ul>
      </section>
      {user.emailVerified ? (
        <section aria-labelledby="new-organisation-heading" className="max-w-md">
          <h2 id="new-organisation-heading" className="text-lg font-semibold">
            Start another organisation
          </h2>
          <Form method="post" {...getFormProps(form)} className="mt-4 space-y-4">
            <FormErrors id={form.errorId} errors={form.errors} />
            <input type="hidden" name="intent" value="create" />
            <Field meta={fields.name} label="Organisation name" autoComplete="organization" />
            <SubmitButton variant="secondary">Create organisation</SubmitButton>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
