import { describe, expect, it } from "vitest";
import type { CatalogFeature } from "~/modules/catalog/catalog.server";
import { checklistOf, progressText, workspaceLink } from "./checklist";
import { PLAN_CHANGE_PATH, usageViewOf } from "./limits-view";
import type { UsageSummary } from "./usage-summary.server";

const teammates = { one: "teammate invited", other: "teammates invited" };

describe("the checklist in words", () => {
  it("says progress with the noun agreeing with the target", () => {
    expect(progressText({ progress: 1, target: 2, counted: teammates })).toBe("1 of 2 teammates invited");
    expect(
      progressText({ progress: 0, target: 1, counted: { one: "project created", other: "projects created" } }),
    ).toBe("0 of 1 project created");
  });

  it("joins the milestone's link to the workspace URL, keeping the workspace's own path", () => {
    expect(workspaceLink("http://localhost:3000/demo/acme/", "/team")).toBe("http://localhost:3000/demo/acme/team");
    expect(workspaceLink("https://acme.example.com", null)).toBe("https://acme.example.com");
    expect(workspaceLink(null, "/team")).toBeNull();
  });

  it("gives the share as a percentage, ticks with when, and nothing for a plan without milestones", () => {
    const reachedAt = new Date("2026-04-02T09:00:00Z");
    const checklist = checklistOf(
      {
        instanceId: "i",
        startedAt: new Date("2026-04-01T00:00:00Z"),
        windowsEndAt: new Date("2026-04-15T00:00:00Z"),
        milestones: [
          {
            key: "a",
            title: "Invite 2 teammates",
            link: "/team",
            target: 2,
            progress: 2,
            counted: teammates,
            reachedAt,
          },
          {
            key: "b",
            title: "Use it on 3 days",
            link: null,
            target: 3,
            progress: 1,
            counted: teammates,
            reachedAt: null,
          },
          {
            key: "c",
            title: "Connect Slack",
            link: "/integrations",
            target: 1,
            progress: 0,
            counted: teammates,
            reachedAt: null,
          },
        ],
        reached: 1,
        share: 1 / 3,
      },
      "https://w.example.com",
    );
    expect(checklist).toMatchObject({ reached: 1, total: 3, percent: 33 });
    expect(checklist!.items[0]).toMatchObject({ done: true, reachedAt, href: "https://w.example.com/team" });
    expect(checklist!.items[1]).toMatchObject({
      done: false,
      progressText: "1 of 3 teammates invited",
      href: "https://w.example.com",
    });
    expect(
      checklistOf(
        { instanceId: "i", startedAt: reachedAt, windowsEndAt: reachedAt, milestones: [], reached: 0, share: 0 },
        null,
      ),
    ).toBeNull();
  });
});

describe("usage against the plan in words", () => {
  const features: CatalogFeature[] = [
    { key: "projects", name: "Projects", description: "", group: "Usage", kind: "limit", unit: null },
    { key: "storage_gb", name: "File storage", description: "", group: "Usage", kind: "limit", unit: "GB" },
    { key: "api_calls", name: "API calls per month", description: "", group: "Usage", kind: "limit", unit: null },
  ];
  const summary: UsageSummary = {
    instanceId: "i",
    activeUsers: 3,
    seatsInUse: 4,
    seatsBought: 5,
    limits: [
      { feature: "projects", used: 85, limit: 100, nearLimit: true },
      { feature: "storage_gb", used: 12, limit: null, nearLimit: false },
      { feature: "api_calls", used: 5_000, limit: 10_000, nearLimit: false },
    ],
  };

  it("labels each limit with the catalog's name and unit, and nudges owners and admins only", () => {
    const manager = usageViewOf(summary, features, PLAN_CHANGE_PATH)!;
    expect(manager.seatsText).toBe("4 of 5 users");
    expect(manager.meters.map((m) => [m.label, m.text, m.percent])).toEqual([
      ["Projects", "85 of 100 projects", 85],
      ["File storage", "12 GB, no limit", null],
      ["API calls per month", "5,000 of 10,000 API calls per month", 50],
    ]);
    expect(manager.meters[0]!.nudge).toBe("You have used 85% of your projects");
    expect(manager.upgradePath).toBe(PLAN_CHANGE_PATH);

    const member = usageViewOf(summary, features, null)!;
    expect(member.meters[0]).toMatchObject({ nearLimit: true, nudge: null });
    expect(member.upgradePath).toBeNull();
  });

  it("shows nothing before the product reports anything", () => {
    const silent: UsageSummary = {
      ...summary,
      activeUsers: 0,
      seatsInUse: null,
      limits: summary.limits.map((l) => ({ ...l, used: null, nearLimit: false })),
    };
    expect(usageViewOf(silent, features, PLAN_CHANGE_PATH)).toBeNull();
  });
});
