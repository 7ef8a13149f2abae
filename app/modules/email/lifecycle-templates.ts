import { longDate } from "~/lib/dates";
import { SITE_NAME } from "~/lib/site";
import { signature } from "./templates";

/**
 * Lifecycle emails of a trial (issue 15): plain text like the other emails, in words, dates as UTC
 * calendar days said to be UTC. Each ends with its unsubscribe link in words (RFC 2369's
 * `List-Unsubscribe` carries the same URL for the mail client's own button).
 */
type Email = { subject: string; text: string };

/** A milestone as the email lists it: its title and, when it has a place in the workspace, the URL there. */
export type MilestoneStep = { title: string; url: string | null };

/** What both lifecycle emails say about the trial and its owner. */
export type TrialContext = {
  name: string;
  planName: string;
  organisationName: string;
  /** Whole days left, at least 1 while the trial runs. */
  daysLeft: number;
  endsAt: Date;
  /** The customer's account page: the trial, its workspace and its checklist. */
  accountUrl: string;
  unsubscribeUrl: string;
};

function trialTime({ daysLeft, endsAt }: TrialContext): string {
  return `${daysLeft} ${daysLeft === 1 ? "day" : "days"} left, until ${longDate(endsAt)} (UTC)`;
}

function footer(context: TrialContext): string {
  return `${signature}\n\nYou receive getting-started tips as an owner of ${context.organisationName}. To stop them, unsubscribe here: ${context.unsubscribeUrl}`;
}

/** Day 1: the plan's milestones as numbered steps with their links, the days left, and where to get help. */
export function gettingStartedMessage(
  context: TrialContext,
  workspaceUrl: string | null,
  steps: MilestoneStep[],
): Email {
  const list = steps
    .map((step, index) => `${index + 1}. ${step.title}${step.url ? `\n   ${step.url}` : ""}`)
    .join("\n");
  const workspace = workspaceUrl ? ` Your workspace: ${workspaceUrl}` : "";
  return {
    subject: `Getting started with your ${context.planName} trial`,
    text: `Hi ${context.name},\n\nYour ${context.planName} trial is ready: ${trialTime(context)}.${workspace}\n\nTeams that get the most out of ${SITE_NAME} take these steps first:\n\n${list}\n\nStuck, or not sure where to begin? Reply to this email and someone on our team will help. Your trial and your progress are on your account page: ${context.accountUrl}${footer(context)}`,
  };
}

/** Day 3 without a milestone: an offer of help and the first step, with its link. */
export function onboardingStalledMessage(context: TrialContext, firstStep: MilestoneStep): Email {
  const where = firstStep.url ? `:\n\n${firstStep.url}` : ".";
  return {
    subject: `Can we help you get started with ${context.planName}?`,
    text: `Hi ${context.name},\n\nYour ${context.planName} trial has been running for a few days (${trialTime(context)}). Most teams begin with one small step. ${firstStep.title}${where}\n\nWould it help to talk it through? Reply to this email and someone on our team will answer. Your trial and your progress are on your account page: ${context.accountUrl}${footer(context)}`,
  };
}
