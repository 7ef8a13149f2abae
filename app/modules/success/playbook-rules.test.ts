import { describe, expect, it } from "vitest";
import type { PlaybookTrigger } from "#db/schema";
import { accountFacts } from "../../../test/support/success";
import { ruleHits, triggerParams, triggerSentence } from "./playbook-rules";
import { playbookTemplate } from "./playbook-template";

const DAY = 86_400_000;
const now = new Date("2026-06-10T08:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const trial = (manualSetup: boolean) => ({
  id: "00000000-0000-4000-8000-000000000001",
  planSlug: "team",
  status: "active" as const,
  startedAt: ago(0.1),
  clockStartedAt: manualSetup ? null : ago(0.1),
  endsAt: manualSetup ? null : new Date(now.getTime() + 14 * DAY),
  manualSetup,
});

describe("playbook rules in words and states", () => {
  it("says every trigger of the template in words, with its params and no keys", () => {
    for (const rule of playbookTemplate) {
      const sentence = triggerSentence(rule.trigger, rule.params);
      expect(sentence).not.toMatch(/\b[a-z]+_[a-z_]+\b|undefined|NaN/);
      for (const spec of triggerParams[rule.trigger]) expect(rule.params).toHaveProperty(spec.key);
    }
    expect(Object.keys(triggerParams).sort()).toEqual(
      [...new Set(playbookTemplate.map((r) => r.trigger as PlaybookTrigger))].sort(),
    );
  });

  it("welcomes a plan that staff set up with the call rule only, from the trial's start", () => {
    const facts = accountFacts("a", { trial: trial(true) });
    expect(ruleHits("trial_started", { day: 1, manualSetup: true }, facts, now)).toEqual([
      {
        subject: trial(true).id,
        reason: "Acme started a trial on 10 June 2026 of a plan that staff set up.",
        link: "/staff/accounts/a",
        trialId: trial(true).id,
      },
    ]);
    expect(ruleHits("trial_started", { day: 1, manualSetup: false }, facts, now)).toEqual([]);
    // A week later the mark has passed: a rule added then does not welcome an old trial.
    expect(ruleHits("trial_started", { day: 1, manualSetup: true }, facts, new Date(now.getTime() + 7 * DAY))).toEqual(
      [],
    );
  });

  it("judges no inactivity without usage data, and no renewal for a plan cancelled at its period end", () => {
    const quiet = accountFacts("a", { trial: trial(false), serviceStartedAt: ago(30) });
    expect(ruleHits("inactive", { days: 7 }, quiet, now)).toEqual([]);
    const subscription = {
      id: "sub_1",
      status: "active",
      planSlug: "team",
      quantity: 1,
      interval: "year" as const,
      mrrMinor: 1000,
      currency: "eur",
      currentPeriodEnd: new Date(now.getTime() + 30 * DAY),
      paymentFailedAt: null,
      cancelAtPeriodEnd: false,
      endedAt: null,
    };
    const renewing = accountFacts("a", { subscriptions: [subscription] });
    expect(ruleHits("annual_renewal", { daysBefore: 60 }, renewing, now).map((h) => h.reason)).toEqual([
      "An annual plan renews on 10 July 2026 (in 30 days).",
    ]);
    const leaving = accountFacts("a", { subscriptions: [{ ...subscription, cancelAtPeriodEnd: true }] });
    expect(ruleHits("annual_renewal", { daysBefore: 60 }, leaving, now)).toEqual([]);
    const monthly = accountFacts("a", { subscriptions: [{ ...subscription, interval: "month" }] });
    expect(ruleHits("annual_renewal", { daysBefore: 60 }, monthly, now)).toEqual([]);
  });

  it("counts the upgrade preview as expansion only while it is recent", () => {
    const facts = (previewDaysAgo: number) =>
      accountFacts("a", {
        trial: trial(false),
        signals: {
          pricingViewedAt: null,
          billingViewedAt: null,
          upgradePreviewAt: ago(previewDaysAgo),
          checkoutOpenedAt: null,
          checkoutUnpaid: false,
        },
      });
    expect(ruleHits("expansion", { limitPercent: 80, previewDays: 7 }, facts(2), now).map((h) => h.reason)).toEqual([
      "The upgrade preview was opened on 8 June 2026.",
    ]);
    expect(ruleHits("expansion", { limitPercent: 80, previewDays: 7 }, facts(8), now)).toEqual([]);
  });
});
