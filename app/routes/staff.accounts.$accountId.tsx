import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { formatMoney } from "~/lib/money";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { accountForStaff } from "~/modules/accounts/staff-accounts.server";
import { approveOrder } from "~/modules/orders/payment.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const account = await accountForStaff(context.db, params.accountId ?? "");
  if (!account) throw new Response("Not found", { status: 404 });
  return account;
}

const actionSchema = z.object({ intent: z.literal("approve"), orderId: z.uuid() });

/** Staff approve a paid order of a plan that waits for approval; its provisioning starts. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ ok: false, message: "Choose an order to approve." }, { status: 400 });
  const approved = await context.db.transaction((tx) => approveOrder(tx, parsed.data.orderId, { type: "staff", id: staff.userId }, params.accountId ?? ""));
  if (!approved) return data({ ok: false, message: "This order is not waiting for approval any more." }, { status: 409 });
  return { ok: true, message: `Approved: the ${approved.planSlug} setup is queued.` };
}

const day = (date: Date | null) => (date ? new Date(date).toISOString().slice(0, 10) : "—");

/** A titled list, or a line saying there is nothing. */
function ListSection({ id, title, empty, items }: { id: string; title: string; empty: string; items: { key: string; content: ReactNode }[] }) {
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

export default function StaffAccount() {
  const { organisation, people, subscriptions, orders, trials } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-8">
      <Link to="/staff/accounts" className="text-sm text-brand-700 underline">
        ← Accounts
      </Link>
      <h1 className="text-2xl font-bold tracking-tight">{organisation.name}</h1>
      {actionData?.ok ? <Notice>{actionData.message}</Notice> : <FormErrors id="action-errors" errors={actionData ? [actionData.message] : undefined} />}
      <ListSection
        id="subscriptions"
        title="Subscription and payment"
        empty="No subscription."
        items={subscriptions.map((s) => ({
          key: s.id,
          content: (
            <>
              {s.planSlug ?? "?"} · {s.quantity} users · <strong>{s.status}</strong>
              {s.endedAt ? ` · ended ${day(s.endedAt)}` : ` · ${s.cancelAtPeriodEnd ? "cancels" : "renews"} ${day(s.currentPeriodEnd)}`}
              {s.paymentFailedAt ? <strong className="text-red-700"> · payment failing since {day(s.paymentFailedAt)}</strong> : null}
              {s.scheduledChange ? ` · changes to ${s.scheduledChange.planSlug}, ${s.scheduledChange.seats} users, per ${s.scheduledChange.interval} on ${day(new Date(s.scheduledChange.effectiveAt))}` : ""}
              {" · "}
              <span className="font-mono">{s.id}</span>
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
              {day(o.createdAt)} · {o.planSlug} · {o.seats} users · {formatMoney({ amount: o.totalAmount, currency: o.currency })} per {o.interval} · <strong>{o.status}</strong>
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
      <ListSection
        id="trials"
        title="Trials"
        empty="No trials."
        items={trials.map((t) => ({ key: t.id, content: `${t.planSlug} · ${t.status} · ${day(t.startedAt)} to ${day(t.endsAt)}` }))}
      />
      <ListSection id="people" title="People" empty="No members." items={people.map((p) => ({ key: p.email, content: `${p.name} · ${p.email} · ${p.role}` }))} />
    </div>
  );
}
