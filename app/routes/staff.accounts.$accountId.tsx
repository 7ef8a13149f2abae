import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatMoney } from "~/lib/money";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { accountForStaff } from "~/modules/accounts/staff-accounts.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const account = await accountForStaff(context.db, params.accountId ?? "");
  if (!account) throw new Response("Not found", { status: 404 });
  return account;
}

const day = (date: Date | null) => (date ? new Date(date).toISOString().slice(0, 10) : "—");

export default function StaffAccount() {
  const { organisation, people, subscriptions, orders, trials } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <Link to="/staff/accounts" className="text-sm text-brand-700 underline">
        ← Accounts
      </Link>
      <h1 className="text-2xl font-bold tracking-tight">{organisation.name}</h1>
      <section aria-labelledby="subscription-heading">
        <h2 id="subscription-heading" className="text-lg font-semibold">Subscription and payment</h2>
        {subscriptions.length ? (
          <ul className="mt-2 space-y-1 text-sm" data-testid="subscriptions">
            {subscriptions.map((subscription) => (
              <li key={subscription.id}>
                {subscription.planSlug ?? "?"} · {subscription.quantity} users · <strong>{subscription.status}</strong> · renews {day(subscription.currentPeriodEnd)}
                {subscription.cancelAtPeriodEnd ? " · cancels at period end" : ""} · <span className="font-mono">{subscription.id}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No subscription.</p>
        )}
      </section>
      <section aria-labelledby="orders-heading">
        <h2 id="orders-heading" className="text-lg font-semibold">Orders</h2>
        {orders.length ? (
          <ul className="mt-2 space-y-1 text-sm" data-testid="orders">
            {orders.map((order) => (
              <li key={order.id}>
                {day(order.createdAt)} · {order.planSlug} · {order.seats} users · {formatMoney({ amount: order.totalAmount, currency: order.currency })} per {order.interval} · <strong>{order.status}</strong>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No orders.</p>
        )}
      </section>
      <section aria-labelledby="trials-heading">
        <h2 id="trials-heading" className="text-lg font-semibold">Trials</h2>
        {trials.length ? (
          <ul className="mt-2 space-y-1 text-sm">
            {trials.map((trial) => (
              <li key={trial.id}>
                {trial.planSlug} · {trial.status} · {day(trial.startedAt)} to {day(trial.endsAt)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No trials.</p>
        )}
      </section>
      <section aria-labelledby="people-heading">
        <h2 id="people-heading" className="text-lg font-semibold">People</h2>
        <ul className="mt-2 space-y-1 text-sm">
          {people.map((person) => (
            <li key={person.email}>
              {person.name} · {person.email} · {person.role}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
