import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { LocalDate } from "~/components/local-date";
import { longDate } from "~/lib/dates";
import { unscoredText } from "~/modules/success/portfolio-format";
import { useEffect, useRef, type ReactNode } from "react";
import { z } from "zod";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { formatMoney } from "~/lib/money";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { accountExists, accountForStaff } from "~/modules/accounts/staff-accounts.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { orderStatusLabels, subscriptionStatusLabel, trialStatusLabel } from "~/modules/billing/status-labels";
import { approveOrder } from "~/modules/orders/payment.server";
import { sendCheckoutLink } from "~/modules/orders/sales-checkout.server";
import { grantAnotherTrial } from "~/modules/trials/trials.server";
import { ingestKeyCards } from "~/modules/usage/key-rotation.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { textField } from "~/lib/text";
import { nextPageHref } from "~/lib/paging";
import { accountTimeline, timelineKindsOf } from "~/modules/usage/timeline.server";
import {
  HealthSection,
  LeadSection,
  NotesSection,
  ServicesSection,
  StandingPanel,
  TasksSection,
} from "~/components/account-360";
import { account360 } from "~/modules/success/account-360.server";
import { assignAccount, assignedMessage, assigneeField } from "~/modules/success/assignment.server";
import { addStaffNote, listStaffNotes, NOTE_MAX_LENGTH, noteBody } from "~/modules/success/notes.server";
import { dayAfter, overrideSchema } from "~/modules/success/override-form.server";
import { clearOverride, MAX_OVERRIDE_DAYS, setOverride } from "~/modules/success/overrides.server";
import { TIMELINE_KINDS, timelineKindLabels } from "~/modules/usage/timeline-words";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`${data.organisation.name}: account`),
        description:
          "One customer organisation: its health and why, tasks, notes, services, payments, orders and timeline; assign it, judge its health, approve orders.",
        path: `/staff/accounts/${params.accountId}`,
        noindex: true,
      })
    : [];

/** The page with the notes' cursor set to `cursor` (removed when null), the rest of the address kept. */
function notesPageHref(url: URL, cursor: string | null): string | null {
  const params = new URLSearchParams(url.searchParams);
  if (cursor) params.set("notes", cursor);
  else if (params.has("notes")) params.delete("notes");
  else return null;
  return `?${params}#notes-heading`;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const accountId = idParam(params, "accountId");
  const account = await accountForStaff(context.db, accountId);
  if (!account) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const kinds = timelineKindsOf(url);
  const now = new Date();
  const [catalog, words, ingestKeys, notes] = await Promise.all([
    requireCatalog(context.db),
    loadCatalogWords(context.db),
    ingestKeyCards(context.db, accountId),
    listStaffNotes(context.db, accountId, url.searchParams.get("notes")),
  ]);
  const [timeline, success] = await Promise.all([
    accountTimeline(context.db, account.organisation.id, {
      kinds,
      cursor: url.searchParams.get("cursor"),
      planNames: words.planNames,
    }),
    account360(
      { db: context.db, stripe: context.stripe },
      accountId,
      {
        organisationAttribution: account.organisation.attribution,
        words,
      },
      now,
    ),
  ]);
  return {
    ...account,
    ...success,
    me: staff.userId,
    notes: {
      items: notes.notes,
      olderHref: notesPageHref(url, notes.nextCursor),
      newestHref: url.searchParams.has("notes") ? notesPageHref(url, null) : null,
      maxLength: NOTE_MAX_LENGTH,
    },
    overrideLimits: {
      min: dayAfter(now, 1),
      max: dayAfter(now, MAX_OVERRIDE_DAYS),
      suggested: dayAfter(now, 30),
    },
    ingestKeys,
    timeline: {
      items: timeline.items,
      kinds,
      olderHref: nextPageHref(url, timeline.nextCursor),
      paged: url.searchParams.has("cursor"),
    },
    planNames: words.planNames,
    plans: catalog.plans.map((plan) => ({ slug: plan.slug, name: plan.name })),
    canGrantTrials: staff.staffRole === "admin",
  };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("note"), body: noteBody }),
  z.object({ intent: z.literal("assign"), assignee: assigneeField }),
  // Checked against the clock by `overrideSchema` once the intent is known.
  z.looseObject({ intent: z.literal("override") }),
  z.object({ intent: z.literal("clear-override"), overrideId: z.uuid({ error: "Choose the judgement to clear." }) }),
  z.object({ intent: z.literal("approve"), orderId: z.uuid({ error: "Choose an order to approve." }) }),
  z.object({
    intent: z.literal("grant-trial"),
    reason: textField({
      required: "Say why this organisation may have another trial",
      min: { length: 3, message: "Say why this organisation may have another trial" },
      max: 500,
    }),
  }),
  z.object({
    intent: z.literal("send-checkout"),
    plan: z.string().regex(/^[a-z0-9-]{1,50}$/, "Choose a plan"),
    interval: z.enum(["month", "year"], { error: "Choose monthly or yearly billing" }),
    seats: z.coerce
      .number({ error: "Enter how many users" })
      .int("Enter a whole number of users")
      .min(1, "Enter at least 1 user")
      .max(1_000_000),
  }),
]);

/**
 * Staff add a note, assign the account (to themselves, someone on staff or the team's queue), set
 * or clear a health judgement (override), approve a paid order of a plan that waits for approval
 * (its provisioning starts), or send the customer a checkout link for a plan agreed with them, or
 * (staff admins only, ADR 15: an exception to a commercial rule) allow one more trial with a reason.
 * Bad input is a 400 with a sentence; every change is audited and safe to repeat.
 */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const form = Object.fromEntries(await readForm(request));
  const parsed = actionSchema.safeParse(form);
  const draft = typeof form.body === "string" ? form.body.slice(0, NOTE_MAX_LENGTH * 2) : "";
  if (!parsed.success)
    return data({ ok: false, message: parsed.error.issues[0]?.message ?? "Check the form.", draft }, { status: 400 });
  const accountId = idParam(params, "accountId");
  const value = parsed.data;
  if (value.intent === "note") {
    if (!(await accountExists(context.db, accountId))) throw new Response("Not found", { status: 404 });
    const note = await addStaffNote(context.db, { accountId, authorId: staff.userId, body: value.body });
    return { ok: true, message: note.added ? "Note added." : "This note was already added." };
  }
  if (value.intent === "assign") {
    const assigned = await assignAccount(context.db, { accountId, actorId: staff.userId, choice: value.assignee });
    if (!assigned.ok) {
      if (assigned.status === 404) throw new Response("Not found", { status: 404 });
      return data({ ok: false, message: assigned.message }, { status: assigned.status });
    }
    return { ok: true, message: assignedMessage(assigned, staff.userId) };
  }
  if (value.intent === "override") {
    const now = new Date();
    const override = overrideSchema(now).safeParse(form);
    if (!override.success)
      return data({ ok: false, message: override.error.issues[0]?.message ?? "Check the form." }, { status: 400 });
    const set = await setOverride(context.db, { ...override.data, accountId }, { userId: staff.userId }, now);
    if (!set.ok) return data({ ok: false, message: set.message }, { status: 400 });
    return { ok: true, message: set.message };
  }
  if (value.intent === "clear-override") {
    const cleared = await clearOverride(context.db, value.overrideId, { userId: staff.userId }, new Date(), accountId);
    if (!cleared.ok) return data({ ok: false, message: cleared.message }, { status: 404 });
    return { ok: true, message: cleared.message };
  }
  if (value.intent === "grant-trial") {
    if (staff.staffRole !== "admin")
      return data({ ok: false, message: "Only staff admins can allow another trial." }, { status: 403 });
    if (!(await accountExists(context.db, accountId))) throw new Response("Not found", { status: 404 });
    const granted = await grantAnotherTrial(context.db, { id: staff.userId }, accountId, value.reason);
    if (!granted.ok) return data({ ok: false, message: granted.message }, { status: 409 });
    return { ok: true, message: "This organisation may now start one more trial." };
  }
  if (value.intent === "send-checkout") {
    if (!(await accountExists(context.db, accountId))) throw new Response("Not found", { status: 404 });
    const { plan, interval, seats } = value;
    const sent = await sendCheckoutLink(
      { db: context.db, stripe: context.stripe, appUrl: context.config.appUrl },
      { accountId, userId: staff.userId, planSlug: plan, interval, seats },
    );
    if (!sent.ok) return data({ ok: false, message: sent.message }, { status: 400 });
    return { ok: true, message: "Checkout link sent to the account's owners and admins." };
  }
  const approved = await context.db.transaction((tx) =>
    approveOrder(tx, value.orderId, { type: "staff", id: staff.userId }, accountId),
  );
  if (!approved)
    return data({ ok: false, message: "This order is not waiting for approval any more." }, { status: 409 });
  return {
    ok: true,
    message: `Approved: the ${planLabel(approved.planSlug, (await loadCatalogWords(context.db)).planNames)} setup is queued.`,
  };
}

const day = (date: Date | string | null) => (date ? longDate(date) : "—");

/** A titled list, or a line saying there is nothing. */
function ListSection({
  id,
  title,
  empty,
  items,
}: {
  id: string;
  title: string;
  empty: string;
  items: { key: string; content: ReactNode }[];
}) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {items.length ? (
        <ul className="mt-2 space-y-1 text-sm" data-testid={id}>
          {items.map((item) => (
            <li key={item.key}>{item.content}</li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-600">{empty}</p>
      )}
    </section>
  );
}

/**
 * The account's timeline: one feed, newest first, filtered by kind with a plain GET form (works
 * without JavaScript), a page at a time with an "Older" link.
 */
function Timeline({ timeline }: { timeline: ReturnType<typeof useLoaderData<typeof loader>>["timeline"] }) {
  const { items, kinds, olderHref, paged } = timeline;
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading" className="text-lg font-semibold">
        Timeline
      </h2>
      <Form method="get" className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <fieldset className="flex flex-wrap gap-x-4 gap-y-2">
          <legend className="sr-only">Show</legend>
          {TIMELINE_KINDS.map((kind) => (
            <label key={kind} className="inline-flex items-center gap-1.5">
              <input
                type="checkbox"
                name="kind"
                value={kind}
                defaultChecked={kinds.includes(kind)}
                className="h-4 w-4 rounded border-slate-300"
              />
              {timelineKindLabels[kind]}
            </label>
          ))}
        </fieldset>
        <SubmitButton variant="secondary">Show</SubmitButton>
      </Form>
      {items.length ? (
        <ol className="mt-3 divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="timeline">
          {items.map((item) => (
            <li key={item.id} className="flex flex-col gap-1 py-2 sm:flex-row sm:gap-4">
              <div className="shrink-0 text-slate-600 sm:w-48">
                <LocalDate value={item.at} />
              </div>
              <div className="min-w-0 flex-1">
                <span className="mr-2 inline-block rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-800">
                  {timelineKindLabels[item.kinds[0]!]}
                </span>
                {item.sentence}
                {item.link ? (
                  <>
                    {" "}
                    <Link to={item.link.href} className="text-brand-700 underline">
                      {item.link.text}
                    </Link>
                  </>
                ) : null}
                <div className="text-slate-600">By {item.who}</div>
              </div>
            </li>
          ))}
        </ol>
      ) : (
        <p className="mt-3 text-sm text-slate-600">
          Nothing recorded{paged ? " before these" : ""} for what you chose.
        </p>
      )}
      <nav aria-label="Timeline pages" className="mt-3 flex gap-4 text-sm">
        {paged ? (
          <Link to={`?${kinds.map((kind) => `kind=${kind}`).join("&")}`} className="text-brand-700 underline">
            Newest
          </Link>
        ) : null}
        {olderHref ? (
          <Link to={olderHref} className="text-brand-700 underline">
            Older
          </Link>
        ) : null}
      </nav>
    </section>
  );
}

export default function StaffAccount() {
  const {
    organisation,
    people,
    subscriptions,
    orders,
    trials,
    plans,
    planNames,
    canGrantTrials,
    timeline,
    ingestKeys,
    standing,
    health,
    override,
    tasks,
    notes,
    services,
    lead,
    attribution,
    staff,
    me,
    overrideLimits,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // The forms sit far below this answer: bring it into view (a page loaded without JavaScript starts here).
  const feedback = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (actionData) feedback.current?.focus();
  }, [actionData]);
  return (
    <div className="space-y-8">
      <Link to="/staff/accounts" className="text-sm text-brand-700 underline">
        ← Accounts
      </Link>
      <h1 className="break-words text-2xl font-bold tracking-tight">{organisation.name}</h1>
      <div ref={feedback} tabIndex={-1} className="scroll-mt-4 outline-none">
        {actionData?.ok ? (
          <Notice>{actionData.message}</Notice>
        ) : (
          <FormErrors id="action-errors" errors={actionData ? [actionData.message] : undefined} />
        )}
      </div>
      <StandingPanel standing={standing} override={override} staff={staff} me={me} />
      <HealthSection
        measures={health.measures}
        trend={health.trend}
        computedScore={health.computedScore}
        override={override}
        overrideLimits={overrideLimits}
        unscored={standing?.unscored ?? unscoredText(null)}
      />
      <TasksSection open={tasks.open} done={tasks.done} />
      <NotesSection
        notes={notes.items}
        olderHref={notes.olderHref}
        newestHref={notes.newestHref}
        maxLength={notes.maxLength}
        draft={actionData && "draft" in actionData && typeof actionData.draft === "string" ? actionData.draft : ""}
      />
      <ListSection
        id="subscriptions"
        title="Subscription and payment"
        empty="No subscription."
        items={subscriptions.map((s) => ({
          key: s.id,
          content: (
            <>
              {planLabel(s.planSlug, planNames)} · {s.quantity} users ·{" "}
              <strong>{subscriptionStatusLabel(s.status)}</strong>
              {s.endedAt
                ? ` · ended ${day(s.endedAt)}`
                : ` · ${s.cancelAtPeriodEnd ? "cancels" : "renews"} ${day(s.currentPeriodEnd)}`}
              {s.paymentFailedAt ? (
                <strong className="text-red-700"> · payment failing since {day(s.paymentFailedAt)}</strong>
              ) : null}
              {s.scheduledChange
                ? ` · changes to ${planLabel(s.scheduledChange.planSlug, planNames)}, ${s.scheduledChange.seats} users, per ${s.scheduledChange.interval} on ${day(new Date(s.scheduledChange.effectiveAt))}`
                : ""}
              {" · Stripe reference "}
              <span className="break-all font-mono">{s.id}</span>
            </>
          ),
        }))}
      />
      <ServicesSection services={services} />
      <LeadSection lead={lead} attribution={attribution} />
      <ListSection
        id="ingest-keys"
        title="Usage ingest keys"
        empty="No services."
        items={ingestKeys.map((k) => ({
          key: k.instanceId,
          content: (
            <>
              {k.planName} · {k.key ? <span className="font-mono">{k.key.prefix}…</span> : "no key issued"}
              {k.key ? ` · issued ${day(k.key.issuedAt)}` : ""}
              {" · "}
              <Link
                to={`/staff/accounts/${organisation.id}/ingest-key/${k.instanceId}`}
                className="text-brand-700 underline"
              >
                {k.key ? "Rotate the key" : "Show the ingest key"}
              </Link>
            </>
          ),
        }))}
      />
      <ListSection
        id="orders"
        title="Orders"
        empty="No orders."
        items={orders.map((o) => ({
          key: o.id,
          content: (
            <>
              {day(o.createdAt)} · {planLabel(o.planSlug, planNames)} · {o.seats} users ·{" "}
              {formatMoney({ amount: o.totalAmount, currency: o.currency })} per {o.interval} ·{" "}
              <strong>{orderStatusLabels[o.status]}</strong>
              {o.status === "pending_approval" ? (
                <Form method="post" className="ml-3 inline">
                  <input type="hidden" name="intent" value="approve" />
                  <input type="hidden" name="orderId" value={o.id} />
                  <SubmitButton variant="secondary">Approve and start setup</SubmitButton>
                </Form>
              ) : null}
            </>
          ),
        }))}
      />
      <section aria-labelledby="send-checkout-heading">
        <h2 id="send-checkout-heading" className="text-lg font-semibold">
          Send a checkout link
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          For a plan agreed with the customer, “contact us” plans included. Paying it is an ordinary order.
        </p>
        <Form method="post" className="mt-3 flex flex-wrap items-end gap-3">
          <input type="hidden" name="intent" value="send-checkout" />
          <div>
            <label htmlFor="checkout-plan" className="block text-sm font-medium">
              Plan
            </label>
            <select
              id="checkout-plan"
              name="plan"
              className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
            >
              {plans.map((plan) => (
                <option key={plan.slug} value={plan.slug}>
                  {plan.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="checkout-interval" className="block text-sm font-medium">
              Billing
            </label>
            <select
              id="checkout-interval"
              name="interval"
              className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
            >
              <option value="year">Yearly</option>
              <option value="month">Monthly</option>
            </select>
          </div>
          <div>
            <label htmlFor="checkout-seats" className="block text-sm font-medium">
              Users
            </label>
            <input
              id="checkout-seats"
              name="seats"
              type="number"
              min={1}
              defaultValue={1}
              className="mt-1 block w-28 rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
          </div>
          <SubmitButton variant="secondary">Send checkout link</SubmitButton>
        </Form>
      </section>
      <ListSection
        id="trials"
        title="Trials"
        empty="No trials."
        items={trials.map((t) => ({
          key: t.id,
          content: `${planLabel(t.planSlug, planNames)} · ${trialStatusLabel(t.status)} · ${day(t.startedAt)} to ${t.endsAt ? day(t.endsAt) : "(clock starts when set up)"}${t.grantId ? " · granted by staff" : ""}`,
        }))}
      />
      {canGrantTrials ? (
        <Form method="post" className="max-w-md space-y-2">
          <input type="hidden" name="intent" value="grant-trial" />
          <label htmlFor="grant-trial-reason" className="text-sm font-medium">
            Allow one more trial: why
          </label>
          <p id="grant-trial-hint" className="text-sm text-slate-600">
            Each organisation gets one trial of the product. Another one is recorded with your name and reason.
          </p>
          <input
            id="grant-trial-reason"
            name="reason"
            aria-describedby="grant-trial-hint"
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
          <SubmitButton variant="secondary">Allow another trial</SubmitButton>
        </Form>
      ) : (
        <p className="text-sm text-slate-600">
          Each organisation gets one trial of the product; a staff admin can allow another.
        </p>
      )}
      <ListSection
        id="people"
        title="People"
        empty="No members."
        items={people.map((p) => ({ key: p.email, content: `${p.name} · ${p.email} · ${p.role}` }))}
      />
      <Timeline timeline={timeline} />
    </div>
  );
}
