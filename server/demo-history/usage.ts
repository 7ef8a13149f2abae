/**
 * The usage one demo-history instance's product reports (docs/usage-api.md: identify, track, group
 * with the demo product's event names), day by day, and the activation milestones those events
 * reach. Events are backfill (`backfill = true`): counted in the rollups, triggering nothing, so the
 * milestones are derived here with the same rule the recorder uses (ADR 21: `count` track calls of
 * `event`, or activity on `days` different UTC days, within `windowDays` of the service's start).
 */
import type { ActivationMilestone } from "../../db/schema";
import type { Random } from "./random";

const DAY_MS = 24 * 60 * 60 * 1000;

/** How an account uses the product: taking off, steady, slow to start, or never started. */
export type Engagement = "thriving" | "steady" | "slow" | "never";

export type ProductUser = { userId: string; name: string; email: string };

export type UsageEventRow = {
  messageId: string;
  type: "track" | "identify" | "group";
  event: string | null;
  userId: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
};

export type UsageInput = {
  random: Random;
  /** Prefix of the deterministic message ids. */
  idPrefix: string;
  engagement: Engagement;
  company: string;
  /** The group call's `groupId`: the instance id (contract). */
  groupId: string;
  /** The owner first; the others join as the owner invites them. */
  people: ProductUser[];
  from: Date;
  /** Exclusive end: the service stopped (suspended) or now. */
  to: Date;
  /** Activity fades to nothing over this window before `to` (an account about to leave). */
  fadeFrom: Date | null;
  now: Date;
};

/** Chance a joined user is active on a weekday, by engagement and days since the start. */
function activeChance(engagement: Engagement, day: number): number {
  switch (engagement) {
    case "thriving":
      return Math.min(0.75, 0.35 + day * 0.02);
    case "steady":
      return 0.4;
    case "slow":
      return Math.max(0.06, 0.25 - day * 0.004);
    case "never":
      return 0;
  }
}

/** Days after the start on which the owner invites each further person (none for accounts that never start). */
function inviteDays(random: Random, engagement: Engagement, others: number): number[] {
  const invited = { thriving: others, steady: Math.ceil(others / 2), slow: Math.min(1, others), never: 0 }[engagement];
  const spread = { thriving: 10, steady: 25, slow: 30, never: 1 }[engagement];
  return Array.from({ length: invited }, () => random.int(0, spread)).sort((a, b) => a - b);
}

/** Generates the instance's events, oldest first; none after `now`. */
export function simulateUsage(input: UsageInput): UsageEventRow[] {
  const { random, engagement, people, now } = input;
  const events: UsageEventRow[] = [];
  const owner = people[0]!;
  const invites = inviteDays(random, engagement, people.length - 1);
  const joinedDay = [0, ...invites.map((day) => day + 1)];
  const identified = new Set<string>();
  const integrationDay =
    engagement === "thriving"
      ? random.int(1, 5)
      : engagement === "steady" && random.chance(0.5)
        ? random.int(3, 12)
        : -1;
  let projects = 0;
  let storage = 0;
  let apiCalls = 0;
  let apiMonth = -1;
  let sequence = 0;
  const end = Math.min(input.to.getTime(), now.getTime());
  const push = (row: Omit<UsageEventRow, "messageId">) => {
    if (row.occurredAt.getTime() >= end || row.occurredAt < input.from) return;
    events.push({ ...row, messageId: `${input.idPrefix}-${(sequence += 1)}` });
  };
  const track = (user: ProductUser, at: Date, event: string, properties: Record<string, unknown> = {}) =>
    push({ type: "track", event, userId: user.userId, occurredAt: at, properties });
  const identify = (user: ProductUser, at: Date) => {
    if (identified.has(user.userId)) return;
    identified.add(user.userId);
    push({
      type: "identify",
      event: null,
      userId: user.userId,
      occurredAt: at,
      properties: { name: user.name, email: user.email },
    });
  };

  const startDay = Math.floor(input.from.getTime() / DAY_MS);
  for (let day = 0; (startDay + day) * DAY_MS < end; day += 1) {
    const dayStart = (startDay + day) * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const fade = input.fadeFrom
      ? Math.max(0, Math.min(1, (end - dayStart) / Math.max(DAY_MS, end - input.fadeFrom.getTime())))
      : 1;
    const at = () =>
      new Date(Math.max(dayStart + random.int(7, 19) * 3_600_000 + random.int(0, 3_599_999), input.from.getTime()));
    let firstActive: ProductUser | null = null;
    let firstAt: Date | null = null;

    // The first day: the owner looks around, and creates a first project unless they never start.
    if (day === 0) {
      const t = new Date(input.from.getTime() + random.int(5, 90) * 60_000);
      identify(owner, t);
      track(owner, t, "Project Viewed");
      if (engagement !== "never" && random.chance(engagement === "slow" ? 0.5 : 0.95))
        track(owner, new Date(t.getTime() + 60_000), "Project Created", { project: "My first project" });
      firstActive = owner;
      firstAt = t;
    }
    invites.forEach((inviteDay, index) => {
      if (inviteDay === day) track(owner, at(), "Teammate Invited", { email: people[index + 1]!.email });
    });
    if (day === integrationDay)
      track(owner, at(), "Integration Connected", { integration: random.pick(["Slack", "GitHub"]) });
    if (integrationDay >= 0 && day > integrationDay && random.chance(0.002))
      track(owner, at(), "Integration Disconnected", { integration: "Slack" });

    people.forEach((person, index) => {
      if (joinedDay[index] === undefined || joinedDay[index]! > day) return;
      const chance = activeChance(engagement, day) * (weekend ? 0.25 : 1) * fade;
      if (!random.chance(chance)) return;
      const t = at();
      identify(person, t);
      const views = 1 + random.poisson(engagement === "thriving" ? 10 : 5);
      for (let v = 0; v < views; v += 1) track(person, new Date(t.getTime() + v * 240_000), "Project Viewed");
      if (random.chance(engagement === "thriving" ? 0.12 : 0.06)) {
        projects += 1;
        track(person, new Date(t.getTime() + views * 240_000), "Project Created", {
          project: `Project ${projects + 1}`,
        });
      }
      if (!firstAt || t < firstAt) {
        firstActive = person;
        firstAt = t;
      }
    });

    // The workspace as the product sees it, once a day someone used it (a plan limit's current use).
    if (firstActive && firstAt) {
      const month = new Date(dayStart).getUTCMonth();
      if (month !== apiMonth) [apiMonth, apiCalls] = [month, 0];
      apiCalls += random.int(0, engagement === "thriving" ? 400 : 60);
      storage = Math.round((storage + random.next() * (engagement === "thriving" ? 0.4 : 0.1)) * 10) / 10;
      push({
        type: "group",
        event: null,
        userId: (firstActive as ProductUser).userId,
        occurredAt: new Date((firstAt as Date).getTime() + 1_000),
        properties: {
          groupId: input.groupId,
          name: input.company,
          projects: projects + 1,
          storage_gb: storage,
          api_calls: apiCalls,
        },
      });
    }
  }
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}

/** When each milestone was reached by these events (oldest first), for a service started at `start`. */
export function milestonesReached(
  milestones: ActivationMilestone[],
  events: UsageEventRow[],
  start: Date,
): { key: string; reachedAt: Date }[] {
  const reached: { key: string; reachedAt: Date }[] = [];
  for (const milestone of milestones) {
    const until = start.getTime() + milestone.windowDays * DAY_MS;
    const inWindow = events.filter((e) => e.occurredAt >= start && e.occurredAt.getTime() < until);
    if (milestone.kind === "event") {
      const hit = inWindow.filter((e) => e.type === "track" && e.event === milestone.event)[milestone.count - 1];
      if (hit) reached.push({ key: milestone.key, reachedAt: hit.occurredAt });
    } else {
      const days: Date[] = [];
      for (const e of inWindow) {
        const last = days[days.length - 1];
        if (!last || Math.floor(last.getTime() / DAY_MS) !== Math.floor(e.occurredAt.getTime() / DAY_MS))
          days.push(e.occurredAt);
      }
      const hit = days[milestone.days - 1];
      if (hit) reached.push({ key: milestone.key, reachedAt: hit });
    }
  }
  return reached;
}
