/**
 * The customer's getting-started checklist (issue 15, item 5), in words, from an instance's
 * `Activation` (activation.server.ts): each milestone with its progress, a tick and when, and a link
 * into the workspace.
 */
import type { Activation, MilestoneProgress } from "./activation.server";

export type ChecklistItem = {
  key: string;
  title: string;
  /** "1 of 2 teammates invited". */
  progressText: string;
  done: boolean;
  /** When it was reached (a string once serialised by the loader). */
  reachedAt: Date | string | null;
  /** The workspace URL joined with the milestone's link; null without either. */
  href: string | null;
};

export type Checklist = {
  items: ChecklistItem[];
  reached: number;
  total: number;
  /** The activation share as a whole percentage (0..100). */
  percent: number;
};

/** "1 of 2 teammates invited": the noun agrees with the target, as in "of 2 teammates". */
export function progressText(milestone: Pick<MilestoneProgress, "progress" | "target" | "counted">): string {
  const words = milestone.target === 1 ? milestone.counted.one : milestone.counted.other;
  return `${milestone.progress.toLocaleString("en-US")} of ${milestone.target.toLocaleString("en-US")} ${words}`;
}

/** A path inside the workspace, appended to its URL (which may itself have a path, e.g. /demo/acme). */
export function workspaceLink(workspaceUrl: string | null, link: string | null): string | null {
  if (!workspaceUrl) return null;
  if (!link) return workspaceUrl;
  return `${workspaceUrl.replace(/\/+$/, "")}/${link.replace(/^\/+/, "")}`;
}

/** The checklist of an instance, or null when its plan defines no milestones. */
export function checklistOf(activation: Activation, workspaceUrl: string | null): Checklist | null {
  if (!activation.milestones.length) return null;
  return {
    items: activation.milestones.map((milestone) => ({
      key: milestone.key,
      title: milestone.title,
      progressText: progressText(milestone),
      done: milestone.reachedAt !== null,
      reachedAt: milestone.reachedAt,
      href: workspaceLink(workspaceUrl, milestone.link),
    })),
    reached: activation.reached,
    total: activation.milestones.length,
    percent: Math.round(activation.share * 100),
  };
}
