/** Words people read for the customer-success keys (ADR 20: words, not keys). */
import type {
  HealthBand,
  HealthMeasureKey,
  HealthProfile,
  LifecycleStage,
  PlaybookTrigger,
  TaskOutcome,
} from "#db/schema";

export const stageLabels: Record<LifecycleStage, string> = {
  prospect: "Signed up",
  trial: "On trial",
  onboarding: "Onboarding",
  adopted: "Adopted",
  at_risk: "At risk",
  churned: "Churned",
};

export const bandLabels: Record<HealthBand, string> = { red: "Poor", yellow: "Fair", green: "Good" };

export const measureLabels: Record<HealthMeasureKey, string> = {
  active_users: "Active users",
  breadth: "Features used",
  frequency: "How often",
  unused_seats: "Users bought but unused",
  setup: "Setup",
  payment: "Payment",
  contact: "Contact requests",
  milestones: "Activation milestones",
};

export const outcomeLabels: Record<TaskOutcome, string> = {
  called: "Called",
  emailed: "Emailed",
  no_answer: "No answer",
  not_needed: "Not needed",
};

export const triggerLabels: Record<PlaybookTrigger, string> = {
  trial_started: "A trial starts",
  trial_no_milestone: "A trial reaches a day with no milestone",
  trial_ending_activated: "A well-activated trial is about to end",
  first_payment: "The first payment arrives",
  service_day: "The service reaches a day (30, 60, 90)",
  inactive: "No active user for some days",
  setup_stuck: "A setup failed or waits on the customer",
  payment_failing: "A payment is failing",
  seats_unused: "Users bought mostly unused",
  annual_renewal: "An annual plan renews soon",
  expansion: "Near a plan limit or the upgrade preview opened",
};

export const profileLabels: Record<HealthProfile, string> = {
  onboarding: "First 30 days",
  standard: "After 30 days",
};
