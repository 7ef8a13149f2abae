/**
 * The preloaded 30-60-90 playbook (issue 16 item 3): the rows migration 0021 inserts into
 * `playbook_rules` (with `on conflict do nothing`, so an admin's edits survive), here so tests can
 * hold the migration to it and simulate it. Admins edit the rows afterwards at /staff/playbooks.
 */
import type { PlaybookTrigger } from "#db/schema";
import type { RuleParams } from "./playbook-rules";

export type TemplateRule = {
  key: string;
  name: string;
  trigger: PlaybookTrigger;
  params: RuleParams;
  taskTitle: string;
  dueDays: number;
  assignTo: "assigned" | "queue";
  position: number;
};

export const playbookTemplate: TemplateRule[] = [
  {
    key: "trial-welcome",
    name: "Trial day 1: welcome",
    trigger: "trial_started",
    params: { day: 1, manualSetup: false },
    taskTitle: "Send the new trial a welcome email.",
    dueDays: 0,
    assignTo: "assigned",
    position: 10,
  },
  {
    key: "trial-welcome-call",
    name: "Trial day 1: welcome call for plans that staff set up",
    trigger: "trial_started",
    params: { day: 1, manualSetup: true },
    taskTitle: "Call the new trial to welcome them and plan the setup.",
    dueDays: 0,
    assignTo: "assigned",
    position: 20,
  },
  {
    key: "trial-no-milestone",
    name: "Trial day 3 with no milestone",
    trigger: "trial_no_milestone",
    params: { day: 3 },
    taskTitle: "Help the trial reach its first milestone.",
    dueDays: 1,
    assignTo: "assigned",
    position: 30,
  },
  {
    key: "trial-ready-to-buy",
    name: "Trial ending soon and well activated",
    trigger: "trial_ending_activated",
    params: { daysBefore: 3, activationPercent: 60 },
    taskTitle: "Call the trial: it is ready to buy.",
    dueDays: 0,
    assignTo: "assigned",
    position: 40,
  },
  {
    key: "first-payment",
    name: "First payment: onboarding call",
    trigger: "first_payment",
    params: {},
    taskTitle: "Book the onboarding call.",
    dueDays: 2,
    assignTo: "assigned",
    position: 50,
  },
  {
    key: "day-30",
    name: "Day 30 check-in",
    trigger: "service_day",
    params: { day: 30 },
    taskTitle: "Check in with the customer at day 30.",
    dueDays: 2,
    assignTo: "assigned",
    position: 60,
  },
  {
    key: "day-60",
    name: "Day 60 check-in",
    trigger: "service_day",
    params: { day: 60 },
    taskTitle: "Check in with the customer at day 60.",
    dueDays: 2,
    assignTo: "assigned",
    position: 70,
  },
  {
    key: "day-90",
    name: "Day 90 check-in",
    trigger: "service_day",
    params: { day: 90 },
    taskTitle: "Check in with the customer at day 90.",
    dueDays: 2,
    assignTo: "assigned",
    position: 80,
  },
  {
    key: "inactive",
    name: "No active user for 7 days",
    trigger: "inactive",
    params: { days: 7 },
    taskTitle: "Find out why no one is using the product.",
    dueDays: 1,
    assignTo: "assigned",
    position: 90,
  },
  {
    key: "setup-stuck",
    name: "Setup failed or waiting on the customer",
    trigger: "setup_stuck",
    params: { waitingDays: 2 },
    taskTitle: "Help the customer get the setup finished.",
    dueDays: 0,
    assignTo: "queue",
    position: 100,
  },
  {
    key: "payment-failing",
    name: "Payment failing",
    trigger: "payment_failing",
    params: {},
    taskTitle: "Help the customer fix the failing payment.",
    dueDays: 1,
    assignTo: "assigned",
    position: 110,
  },
  {
    key: "seats-unused",
    name: "Users bought mostly unused after 60 days",
    trigger: "seats_unused",
    params: { afterDays: 60, usedPercent: 50 },
    taskTitle: "Help the customer get their unused users started.",
    dueDays: 3,
    assignTo: "assigned",
    position: 120,
  },
  {
    key: "annual-renewal",
    name: "Annual plan renews in 60 days",
    trigger: "annual_renewal",
    params: { daysBefore: 60 },
    taskTitle: "Prepare the annual renewal with the customer.",
    dueDays: 7,
    assignTo: "assigned",
    position: 130,
  },
  {
    key: "expansion",
    name: "Near a plan limit or looking at upgrades",
    trigger: "expansion",
    params: { limitPercent: 80, previewDays: 7 },
    taskTitle: "Talk to the customer about a larger plan.",
    dueDays: 2,
    assignTo: "assigned",
    position: 140,
  },
];
