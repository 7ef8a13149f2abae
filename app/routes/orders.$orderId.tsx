import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { accountRequests } from "../../provisioning";
import { ProvisioningProgress } from "~/components/provisioning-progress";
import { useLiveRevalidation } from "~/components/use-live-revalidation";
import { LocalDate } from "~/components/local-date";
import { formatMoney } from "~/lib/money";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireMembership } from "~/modules/accounts/organisations.server";
import { requireUser } from "~/modules/accounts/sessions.server";
import { findOrder } from "~/modules/orders/orders.server";
import { confirmCheckout } from "~/modules/orders/payment.server";
import { idParam } from "~/lib/ids";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle("Your order"),
        description:
          "Follow your order from payment to a ready workspace: each step of the setup shows here as it happens.",
        path: `/orders/${params.orderId}`,
        noindex: true,
      })
    : [];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  let order = await findOrder(context.db, idParam(params, "orderId"));
  if (!order) throw new Response("Not found", { status: 404 });
  await requireMembership(context.db, user.userId, order.accountId);
  // Back from Checkout: ask Stripe itself rather than trusting the redirect (the webhook may be slower).
  if (
    order.status === "checkout_open" &&
    order.stripeCheckoutSessionId &&
    new URL(request.url).searchParams.has("session_id")
  ) {
    order = (await confirmCheckout(context.db, context.stripe, order.stripeCheckoutSessionId)) ?? order;
  }
  const requests = order.provisioningRequestId
    ? (await accountRequests(context.db, order.accountId)).filter((r) => r.id === order.provisioningRequestId)
    : [];
  return {
    order: {
      id: order.id,
      status: order.status,
      planName: planLabel(order.planSlug, (await loadCatalogWords(context.db)).planNames),
      interval: order.interval,
      seats: order.seats,
      total: { amount: order.totalAmount, currency: order.currency },
      firstCharge: chargeSummary(order),
    },
    requests,
  };
}

/**
 * Stripe's figures kept on the accepted order (payment.server.ts): a trial checkout charged
 * nothing and names its first charge; a paid one names what was charged and when.
 */
function chargeSummary(order: NonNullable<Awaited<ReturnType<typeof findOrder>>>) {
  if (order.chargedAtCheckout === null || !order.firstChargeAt || order.firstChargeAmount === null) return null;
  return {
    trial: order.chargedAtCheckout === 0 && order.firstChargeAmount > 0,
    at: order.firstChargeAt.toISOString(),
    amount: { amount: order.firstChargeAmount, currency: order.currency },
    charged: { amount: order.chargedAtCheckout, currency: order.currency },
  };
}

const headlines = {
  checkout_open: "Waiting for your payment to be confirmed",
  paid: "Payment received",
  fulfilled: "Payment received",
  pending_approval: "Payment received: our team will approve your setup",
  payment_failed: "Your payment did not go through",
  expired: "This checkout expired",
  cancelled: "This order was cancelled",
} as const;
/** A trial checkout charged nothing: "Payment received" would be wrong. */
const trialHeadlines = {
  ...headlines,
  paid: "Order confirmed: your trial continues",
  fulfilled: "Order confirmed: your trial continues",
  pending_approval: "Order confirmed: our team will approve your setup",
} as const;

export default function OrderPage() {
  const { order, requests } = useLoaderData<typeof loader>();
  const ready = requests.length > 0 && requests.every((r) => r.status === "succeeded");
  const charge = order.firstCharge;
  const trial = charge?.trial === true;
  useLiveRevalidation(order.status === "checkout_open");
  const settling =
    order.status === "checkout_open" ||
    (order.status === "paid" && !ready) ||
    requests.some((r) => !["succeeded", "cancelled", "failed"].includes(r.status));
  return (
    <div className="mx-auto max-w-2xl space-y-8 px-4 py-12">
      {settling ? (
        // Without JavaScript nothing revalidates: the page reloads itself while the order settles.
        <noscript>
          <meta httpEquiv="refresh" content="5" />
        </noscript>
      ) : null}
      <header>
        <p className="text-sm font-semibold text-brand-700">Order</p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight" data-testid="order-status" data-status={order.status}>
          {ready ? "Your service is ready" : (trial ? trialHeadlines : headlines)[order.status]}
        </h1>
        <p className="mt-2 text-sm text-slate-700">
          {order.planName} · {order.seats} {order.seats === 1 ? "user" : "users"} · {formatMoney(order.total)} per{" "}
          {order.interval}, excluding tax
        </p>
      </header>
      {charge ? (
        <p className="rounded-md border border-slate-200 bg-slate-50 p-4 text-slate-800" data-testid="first-charge">
          {charge.trial ? (
            <>
              Nothing was charged today: your trial runs until your first charge on <LocalDate value={charge.at} />:{" "}
              <strong>{formatMoney(charge.amount)}</strong>.
            </>
          ) : (
            <>
              Charged <strong>{formatMoney(charge.charged)}</strong> on <LocalDate value={charge.at} />. A receipt is on
              its way by email.
            </>
          )}
        </p>
      ) : null}
      {order.status === "paid" && !ready ? (
        <p className="text-slate-700">We are setting it up now; this page follows along.</p>
      ) : null}
      {requests.length ? <ProvisioningProgress requests={requests} /> : null}
      <p>
        <Link to="/account" className="text-sm font-medium text-brand-700 underline">
          Go to your account
        </Link>
      </p>
    </div>
  );
}
