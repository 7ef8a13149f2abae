import { Link } from "@remix-run/react";
import { GettingStarted } from "~/components/getting-started";
import type { Checklist } from "~/modules/usage/checklist";
import { longDate } from "~/lib/dates";

type Trial = {
  planName: string;
  planSlug: string;
  status: "active" | "expired" | "converted";
  /** Null while the trial's clock waits for staff to set its workspace up. */
  endsAt: Date | null;
  lengthDays: number | null;
  instanceStatus: string;
  /** Lines in words, from `includedLines`. */
  included: string[];
  teammates: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days left in a running trial (rounded up), or null when it has no end yet or has ended. */
function daysLeftOf(trial: Trial, now: number): number | null {
  if (trial.status !== "active" || !trial.endsAt) return null;
  return Math.max(0, Math.ceil((new Date(trial.endsAt).getTime() - now) / DAY_MS));
}

/** What the trial's status line says: time left, "being set up" while its clock waits, or ended. */
function statusText(trial: Trial, now: number): string {
  if (trial.status !== "active")
    return "Your trial has ended and your workspace is paused. Buy a plan to continue where you left off.";
  if (!trial.endsAt)
    return `Your workspace is being set up by our team. Your ${trial.lengthDays} free days start when it is ready; we will email you.`;
  const daysLeft = daysLeftOf(trial, now) ?? 0;
  return `${daysLeft} ${daysLeft === 1 ? "day" : "days"} left, until ${longDate(trial.endsAt)}`;
}

/**
 * The trial's guide: time left, what it includes and the first steps to value: the plan's
 * getting-started checklist once its workspace is set up (`checklist`, from the trial's service
 * card, which then leaves it out), else the portal's own first steps. Buying is the trial's service
 * card's next action (ServiceCard), so the page offers it once.
 */
export function TrialCard({
  trial,
  now,
  checklist = null,
}: {
  trial: Trial;
  now: number;
  checklist?: Checklist | null;
}) {
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
        {statusText(trial, now)}
      </p>
      {checklist ? (
        <div className="mt-4">
          <GettingStarted checklist={checklist} daysLeft={daysLeftOf(trial, now)} id="trial" headingLevel="h3" />
        </div>
      ) : null}
      <div className="mt-4 grid gap-6 sm:grid-cols-2">
        <div>
          <h3 className="text-sm font-semibold">Included</h3>
          <ul className="mt-2 space-y-1 text-sm text-slate-700">
            {trial.included.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
        {checklist ? null : (
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
        )}
      </div>
      <p className="mt-6 text-sm">
        <Link to="/pricing" className="font-medium text-brand-700 underline">
          Compare plans
        </Link>
      </p>
    </section>
  );
}
