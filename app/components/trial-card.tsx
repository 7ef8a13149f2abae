import { Link } from "@remix-run/react";
import { ButtonLink } from "~/components/ui/button-link";

type Trial = {
  planName: string;
  planSlug: string;
  status: "active" | "expired" | "converted";
  endsAt: Date;
  instanceStatus: string;
  /** Lines in words, from `includedLines`. */
  included: string[];
  teammates: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The trial at a glance: time left, what it includes, the first steps to value, and the way to buy. */
export function TrialCard({ trial, now }: { trial: Trial; now: number }) {
  const daysLeft = Math.max(0, Math.ceil((new Date(trial.endsAt).getTime() - now) / DAY_MS));
  const steps = [
    { done: trial.instanceStatus === "active", text: "Your workspace is set up" },
    { done: trial.teammates > 0, text: "Invite a teammate", link: "/account" },
    { done: false, text: `Choose a plan to keep your work after the trial` },
  ];
  return (
    <section
      aria-labelledby="trial-heading"
      className="rounded-2xl bg-brand-50 p-6 ring-1 ring-brand-100"
      data-testid="trial"
    >
      <h2 id="trial-heading" className="text-lg font-semibold">
        {trial.planName} trial
      </h2>
      <p className="mt-1 text-sm text-slate-700" data-testid="trial-status">
        {trial.status === "active"
          ? `${daysLeft} ${daysLeft === 1 ? "day" : "days"} left, until ${new Date(trial.endsAt).toISOString().slice(0, 10)}`
          : "Your trial has ended and your workspace is paused. Buy a plan to continue where you left off."}
      </p>
      <div className="mt-4 grid gap-6 sm:grid-cols-2">
        <div>
          <h3 className="text-sm font-semibold">Included</h3>
          <ul className="mt-2 space-y-1 text-sm text-slate-700">
            {trial.included.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="text-sm font-semibold">Get started</h3>
          <ol className="mt-2 space-y-1 text-sm">
            {steps.map((step) => (
              <li key={step.text} className={step.done ? "text-slate-500 line-through" : "text-slate-900"}>
                <span className="sr-only">{step.done ? "Done: " : "To do: "}</span>
                {step.text}
              </li>
            ))}
          </ol>
        </div>
      </div>
      <div className="mt-6 flex flex-wrap gap-3">
        <ButtonLink to={`/orders/new?plan=${trial.planSlug}`}>Buy {trial.planName}</ButtonLink>
        <Link to="/pricing" className="self-center text-sm font-medium text-brand-700 underline">
          Compare plans
        </Link>
      </div>
    </section>
  );
}
