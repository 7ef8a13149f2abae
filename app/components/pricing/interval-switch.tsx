import { Link } from "@remix-run/react";
import type { BillingInterval } from "#db/schema";

type Props = { interval: BillingInterval; annualSaving: number };

/** Plain links, so switching works without JavaScript; with it, Remix swaps the page in place. */
export function IntervalSwitch({ interval, annualSaving }: Props) {
  const options: { value: BillingInterval; label: string }[] = [
    { value: "month", label: "Monthly" },
    { value: "year", label: annualSaving > 0 ? `Yearly (save ${annualSaving}%)` : "Yearly" },
  ];
  return (
    <nav aria-label="Billing interval" className="flex justify-center">
      <ul className="inline-flex rounded-full bg-slate-100 p-1 text-sm font-semibold">
        {options.map((option) => {
          const active = option.value === interval;
          return (
            <li key={option.value}>
              <Link
                to={`?interval=${option.value}`}
                preventScrollReset
                replace
                aria-current={active ? "page" : undefined}
                className={`block rounded-full px-4 py-2 transition-colors ${
                  active ? "bg-white text-slate-900 shadow" : "text-slate-700 hover:text-slate-900"
                }`}
              >
                {option.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
