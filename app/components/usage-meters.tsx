import { Link } from "@remix-run/react";
import { Bar } from "~/components/bar";
import type { ServiceUsage } from "~/modules/usage/limits-view";

/**
 * Usage against the plan (issue 15, item 7): people active in the last 28 days, users in the product
 * of those bought, and each limit as a labelled meter. A limit at 80% or more is marked in words;
 * owners and admins also get the nudge to compare plans (members see the figures only).
 */
export function UsageMeters({ usage, id }: { usage: ServiceUsage; id: string }) {
  const headingId = `usage-${id}`;
  const { upgradePath } = usage;
  return (
    <section aria-labelledby={headingId} className="text-sm" data-testid="usage">
      <h4 id={headingId} className="font-semibold text-slate-900">
        Usage
      </h4>
      <dl className="mt-2 grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2">
        <div>
          <dt className="text-slate-600">Active in the last 28 days</dt>
          <dd data-testid="usage-active">
            {usage.activeUsers} {usage.activeUsers === 1 ? "person" : "people"}
          </dd>
        </div>
        {usage.seatsText ? (
          <div>
            <dt className="text-slate-600">Users in the workspace</dt>
            <dd data-testid="usage-seats">{usage.seatsText}</dd>
          </div>
        ) : null}
        {usage.meters.map((meter) => (
          <div key={meter.feature} data-testid="usage-meter" data-near-limit={meter.nearLimit}>
            <dt className="text-slate-600">{meter.label}</dt>
            <dd>
              <span data-testid="usage-meter-text">{meter.text}</span>
              {meter.nearLimit ? <span className="font-semibold text-amber-900"> · {meter.percent}% used</span> : null}
              {meter.percent !== null ? (
                <span className="mt-1 block">
                  <Bar percent={meter.percent} tone={meter.nearLimit ? "amber" : "brand"} />
                </span>
              ) : null}
            </dd>
          </div>
        ))}
      </dl>
      {upgradePath
        ? usage.meters
            .filter((meter) => meter.nudge)
            .map((meter) => (
              <p
                key={meter.feature}
                className="mt-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-950"
                data-testid="usage-nudge"
              >
                {meter.nudge} —{" "}
                <Link to={upgradePath} className="font-medium underline">
                  compare plans
                </Link>
              </p>
            ))
        : null}
    </section>
  );
}
