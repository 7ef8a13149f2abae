import { describe, expect, it } from "vitest";
import { pageMeta, summarise } from "./seo";

describe("summarise", () => {
  it("keeps short text as it is", () => {
    expect(summarise("For small teams. Set up in a minute.")).toBe("For small teams. Set up in a minute.");
  });
  it("keeps the whole sentences that fit", () => {
    expect(summarise("One two three. Four five six. Seven eight nine.", 30)).toBe("One two three. Four five six.");
  });
  it("does not split at a decimal point", () => {
    expect(summarise("A 99.9% uptime SLA. More words follow here.", 25)).toBe("A 99.9% uptime SLA.");
  });
  it("cuts a first sentence too long on its own after a word", () => {
    expect(summarise("Plans tasks files and decisions in one workspace.", 30)).toBe("Plans tasks files and…");
  });
});

describe("pageMeta", () => {
  const matches = [
    { id: "root", pathname: "/", data: { user: null, appUrl: "https://portal.example" }, params: {}, meta: [] },
  ];

  it("builds the canonical URL from APP_URL and the page's path, and says noindex when asked", () => {
    const tags = pageMeta(matches, { title: "Log in | Site", description: "Log in.", path: "/login", noindex: true });
    expect(tags).toContainEqual({ tagName: "link", rel: "canonical", href: "https://portal.example/login" });
    expect(tags).toContainEqual({ property: "og:url", content: "https://portal.example/login" });
    expect(tags).toContainEqual({ name: "robots", content: "noindex" });
  });
  it("leaves the robots rule out of indexable pages", () => {
    const tags = pageMeta(matches, { title: "Pricing | Site", description: "Prices.", path: "/pricing" });
    expect(tags.some((tag) => "name" in tag && tag.name === "robots")).toBe(false);
  });
});
