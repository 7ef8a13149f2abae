import { Link } from "@remix-run/react";
import { INTEGRATIONS, type IntegrationKey } from "~/modules/demo/workspace";
import { useWorkspace } from "~/modules/demo/use-workspace";

const number = (value: number) => value.toLocaleString("en-US");
/** "3 of 10", or "3" when the plan has no limit. */
const of = (used: number, limit: number | null, unit = "") =>
  limit === null ? `${number(used)}${unit}` : `${number(used)}${unit} of ${number(limit)}${unit}`;
const plural = (count: number, one: string, many: string) => `${number(count)} ${count === 1 ? one : many}`;

export default function DemoOverview() {
  const view = useWorkspace();
  const { workspace } = view;
  const base = `/demo/${view.subdomain}`;
  const connected = (Object.keys(INTEGRATIONS) as IntegrationKey[]).filter(
    (key) => workspace.integrations[key]?.connected,
  );
  const stats = [
    { label: "Projects", value: of(workspace.projects.length, view.limits.projects), to: `${base}/projects` },
    {
      label: "People",
      value: `${plural(workspace.teammates.length + 1, "person", "people")} · ${plural(view.seats, "user", "users")} bought`,
      to: `${base}/team`,
    },
    { label: "Storage", value: of(view.storageGb, view.limits.storage_gb, " GB"), to: `${base}/projects` },
    { label: "API calls this month", value: of(view.apiCalls, view.limits.api_calls), to: null },
  ];
  return (
    <div className="space-y-8">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {stats.map((stat) => (
          <div key={stat.label} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
            <dt className="text-sm text-slate-600">{stat.label}</dt>
            <dd className="mt-1 text-lg font-semibold">
              {stat.to ? <Link to={stat.to}>{stat.value}</Link> : stat.value}
            </dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="here-heading" className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
        <h2 id="here-heading" className="font-semibold">
          What is here
        </h2>
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700">
          <li>
            <Link to={`${base}/projects`} className="text-brand-700 underline">
              Projects
            </Link>
            : create the projects your team works in.
          </li>
          <li>
            <Link to={`${base}/team`} className="text-brand-700 underline">
              Team
            </Link>
            : add teammates by name and email.
          </li>
          <li>
            <Link to={`${base}/integrations`} className="text-brand-700 underline">
              Integrations
            </Link>
            :{" "}
            {connected.length
              ? `${connected.map((key) => INTEGRATIONS[key]).join(" and ")} connected.`
              : "connect Slack or GitHub."}
          </li>
        </ul>
      </section>
    </div>
  );
}
