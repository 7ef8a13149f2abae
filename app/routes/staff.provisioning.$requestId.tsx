import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  cancelRequest,
  claimRequest,
  completeManually,
  failRequest,
  requestDetail,
  resultFields,
  retryRequest,
} from "../../provisioning";
import { StatusBadge } from "~/components/status-badge";
import { FieldError, FormErrors, SubmitButton } from "~/components/ui/field";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { ingestKeyCard } from "~/modules/usage/key-rotation.server";
import { queueSetupCompleteEmails } from "~/modules/email/setup-complete.server";
import { includedLines } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { operationLabels, resultFieldLabel, statusLabels } from "~/modules/provisioning-labels";
import { pageMeta, pageTitle } from "~/lib/seo";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { CONTROL_CHARACTERS_MESSAGE, isPlainText, textField } from "~/lib/text";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`${data.request.accountName}: setup`),
        description:
          "One workspace setup: what was bought, its attempts and deadline; claim it, complete it, retry it, fail it or cancel it.",
        path: `/staff/provisioning/${params.requestId}`,
        noindex: true,
      })
    : [];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const detail = await requestDetail(context.db, idParam(params, "requestId"));
  if (!detail) throw new Response("Not found", { status: 404 });
  const manualSetup = detail.operation === "provision" && detail.provisioner === "manual";
  const [words, keyCard] = await Promise.all([
    loadCatalogWords(context.db),
    manualSetup ? ingestKeyCard(context.db, detail.instanceId) : null,
  ]);
  return {
    request: detail,
    // A manual setup's product gets its key from staff: shown once, on demand.
    ingestKey: keyCard && keyCard.status !== "deprovisioned" ? { prefix: keyCard.key?.prefix ?? null } : null,
    fields: resultFields(detail.config),
    included: includedLines(detail.snapshot, words.features),
    me: staff.userId,
  };
}

const reasonField = textField({
  required: "Say why, in a few words",
  min: { length: 3, message: "Say why, in a few words" },
  max: 500,
});

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("claim") }),
  z.object({ intent: z.literal("complete") }),
  z.object({ intent: z.literal("retry") }),
  z.object({ intent: z.literal("fail"), reason: reasonField }),
  z.object({ intent: z.literal("cancel"), reason: reasonField }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const formData = await readForm(request);
  const parsed = actionSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return data(
      { message: parsed.error.issues[0]?.message ?? "Choose an action", fieldErrors: {} as Record<string, string> },
      { status: 400 },
    );
  }
  const id = idParam(params, "requestId");
  const who = { id: staff.userId, name: staff.name };
  const value = parsed.data;
  const results = resultValues(formData);
  const unreadable = Object.keys(results).filter((key) => !isPlainText(results[key]!));
  if (value.intent === "complete" && unreadable.length) {
    const fieldErrors = Object.fromEntries(unreadable.map((key) => [key, CONTROL_CHARACTERS_MESSAGE]));
    return data({ message: "Correct the highlighted fields.", fieldErrors }, { status: 400 });
  }
  const result =
    value.intent === "claim"
      ? await claimRequest(context.db, id, who)
      : value.intent === "complete"
        ? await completeManually(context.db, id, who, results, {
            onSucceeded: (tx, completed) => queueSetupCompleteEmails(tx, context.config.appUrl, completed),
          })
        : value.intent === "retry"
          ? await retryRequest(context.db, id, who)
          : value.intent === "fail"
            ? await failRequest(context.db, id, who, value.reason)
            : await cancelRequest(context.db, id, who, value.reason);
  if (!result.ok) return data({ message: result.message, fieldErrors: result.fieldErrors ?? {} }, { status: 409 });
  throw redirect(`/staff/provisioning/${id}`);
}

/** The `result.<key>` fields; keyed without a prototype, so a field named `result.__proto__` is just a key. */
function resultValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const [key, value] of formData)
    if (key.startsWith("result.") && typeof value === "string") values[key.slice(7)] = value;
  return values;
}

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function ProvisioningRequestPage() {
  const { request, fields, included, me, ingestKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const claimedByMe = request.claimedBy === me;
  const open = request.status === "waiting_staff" || request.status === "failed";
  // Any request not finished can be retried or cancelled (ADR 6); claiming and completing need a person's turn.
  const unfinished = request.status !== "succeeded" && request.status !== "cancelled";
  return (
    <div className="space-y-8">
      <Link to="/staff/provisioning" className="text-sm text-brand-700 underline">
        ← Queue
      </Link>
      <header>
        <h1 className="text-2xl font-bold tracking-tight">
          {operationLabels[request.operation]} {request.snapshot.planName} for {request.accountName}
        </h1>
        <p className="mt-2 flex flex-wrap items-center gap-3 text-sm text-slate-700">
          <StatusBadge status={request.status} />
          <span>
            via {request.provisioner} · attempt {request.attempts} of {request.maxAttempts} · due{" "}
            <LocalDate value={request.slaDueAt} />
          </span>
          {request.claimedBy ? <span>{claimedByMe ? "Claimed by you" : "Claimed by another staff member"}</span> : null}
        </p>
        {request.status === "running" && request.callbackDueAt ? (
          <p className="mt-3 rounded-md bg-blue-50 p-3 text-sm ring-1 ring-blue-200" data-testid="callback-due">
            The control plane accepted this request and has not reported back yet. Its report is due by{" "}
            <LocalDate value={request.callbackDueAt} />; after that it is retried automatically, or waits for staff once
            its attempts are used up.
          </p>
        ) : null}
        {request.waitingReason ? (
          <p className="mt-3 rounded-md bg-amber-50 p-3 text-sm ring-1 ring-amber-200">{request.waitingReason}</p>
        ) : null}
      </header>
      <FormErrors id="action-errors" errors={actionData ? [actionData.message] : undefined} />

      <section aria-labelledby="bought-heading">
        <h2 id="bought-heading" className="text-lg font-semibold">
          What was bought
        </h2>
        <dl className="mt-2 grid gap-2 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-600">Plan</dt>
            <dd>{request.snapshot.planName}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Users</dt>
            <dd>{request.snapshot.seats}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Included</dt>
            <dd>{included.join(", ")}</dd>
          </div>
        </dl>
        {request.result ? (
          <dl className="mt-4 text-sm" data-testid="result">
            {Object.entries(request.result).map(([key, value]) => (
              <div key={key} className="flex gap-2">
                <dt className="text-slate-600">{resultFieldLabel(key, fields)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </section>

      {ingestKey ? (
        <section aria-labelledby="ingest-key-heading" className="text-sm">
          <h2 id="ingest-key-heading" className="text-lg font-semibold">
            Usage ingest key
          </h2>
          <p className="mt-2">
            {ingestKey.prefix ? (
              <>
                Issued: <span className="font-mono">{ingestKey.prefix}…</span>. If the product does not have it,{" "}
                <Link
                  className="text-brand-700 underline"
                  to={`/staff/accounts/${request.accountId}/ingest-key/${request.instanceId}`}
                >
                  rotate it
                </Link>
                .
              </>
            ) : (
              <>
                The product reports usage with a key you give it when you set it up.{" "}
                <Link
                  className="font-medium text-brand-700 underline"
                  to={`/staff/accounts/${request.accountId}/ingest-key/${request.instanceId}`}
                >
                  Show the ingest key
                </Link>
              </>
            )}
          </p>
        </section>
      ) : null}

      {unfinished ? (
        <section aria-labelledby="actions-heading" className="space-y-6">
          <h2 id="actions-heading" className="text-lg font-semibold">
            Actions
          </h2>
          {open && !request.claimedBy ? (
            <Form method="post">
              <input type="hidden" name="intent" value="claim" />
              <SubmitButton>Claim</SubmitButton>
            </Form>
          ) : null}
          {claimedByMe && request.status === "waiting_staff" ? (
            <Form method="post" noValidate className="max-w-md space-y-4 rounded-xl p-4 ring-1 ring-slate-200">
              <h3 className="font-semibold">Complete the setup</h3>
              <input type="hidden" name="intent" value="complete" />
              {fields.map((field) => (
                <div key={field.key}>
                  <label htmlFor={`result-${field.key}`} className="text-sm font-medium">
                    {field.label}
                  </label>
                  <input
                    id={`result-${field.key}`}
                    name={`result.${field.key}`}
                    type={field.type}
                    className={input}
                    aria-invalid={actionData?.fieldErrors[field.key] ? true : undefined}
                    aria-describedby={actionData?.fieldErrors[field.key] ? `result-${field.key}-error` : undefined}
                  />
                  <FieldError
                    id={`result-${field.key}-error`}
                    errors={actionData?.fieldErrors[field.key] ? [actionData.fieldErrors[field.key]!] : undefined}
                  />
                </div>
              ))}
              <SubmitButton>Complete</SubmitButton>
            </Form>
          ) : null}
          <div className="flex flex-wrap gap-3">
            <Form method="post">
              <input type="hidden" name="intent" value="retry" />
              <SubmitButton variant="secondary">Retry automatically</SubmitButton>
            </Form>
          </div>
          <div className="grid max-w-2xl gap-4 sm:grid-cols-2">
            {request.status === "waiting_staff" ? (
              <Form method="post" className="space-y-2">
                <input type="hidden" name="intent" value="fail" />
                <label htmlFor="fail-reason" className="text-sm font-medium">
                  Why it failed
                </label>
                <input id="fail-reason" name="reason" className={input} />
                <SubmitButton variant="danger">Mark failed</SubmitButton>
              </Form>
            ) : null}
            <Form method="post" className="space-y-2">
              <input type="hidden" name="intent" value="cancel" />
              <label htmlFor="cancel-reason" className="text-sm font-medium">
                Why cancel
              </label>
              <input id="cancel-reason" name="reason" className={input} />
              <SubmitButton variant="danger">Cancel request</SubmitButton>
            </Form>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Timeline
        </h2>
        <ol className="mt-2 space-y-2 text-sm" data-testid="timeline">
          {request.events.map((event) => (
            <li key={event.id} className="flex flex-col gap-1 sm:flex-row sm:gap-4">
              <span className="text-slate-600">
                <LocalDate value={event.occurredAt} />
              </span>
              <span>
                {event.fromStatus && event.fromStatus !== event.toStatus ? `${statusLabels[event.fromStatus]} → ` : ""}
                {statusLabels[event.toStatus]} · {event.actorType}: {event.message}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
