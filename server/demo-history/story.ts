/**
 * One demo-history account's six months, as rows: the lead and its first touch, the sign-up, the
 * trial (converted or expired) or direct purchase, the subscription's renewals, upgrades, seat
 * changes, payment failures (recovered or ending it), cancellation and reactivation, the service
 * instances and their provisioning, and the product's usage. Every row is in its settled end
 * state with its dates in the past, as the portal's own flows and sweeps would have left it, so
 * no sweep acts on it in bulk (server/worker.ts crontab). Pure: ids and choices follow from
 * (seed, index) alone.
 */
import { SUBSCRIPTION_RETENTION_MS } from "../../app/modules/billing/retention.server";
import { snapshotOf } from "../../app/modules/catalog/plan-policy.server";
import { orderTotal } from "../../app/modules/catalog/pricing";
import { REPORTING_CURRENCY, toReporting } from "../../app/modules/metrics/currency";
import type { Catalog, CatalogPlan } from "../../app/modules/catalog/catalog.server";
import { evaluateFit } from "../../app/modules/qualification/evaluate";
import type { QualificationAnswers } from "../../app/modules/qualification/questionnaire";
import { TRIAL_RETENTION_MS } from "../../app/modules/trials/lifecycle.server";
import type { BillingInterval } from "../../db/schema";
import { historyId, historyKey, Random } from "./random";
import { milestonesReached, simulateUsage, type Engagement, type ProductUser, type UsageEventRow } from "./usage";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 3_600_000;
const HISTORY_DAYS = 182;

export type Row = Record<string, unknown>;
/** Rows by table name, columns by their database names. */
export type Tables = Record<string, Row[]>;
export type PlanPolicies = Record<
  string,
  {
    provisioner: string;
    config: Record<string, unknown>;
    stripePrices: Partial<Record<BillingInterval, string | null>>;
  }
>;
export type StoryContext = {
  seed: string;
  appUrl: string;
  catalog: Catalog;
  policies: PlanPolicies;
  now: Date;
  anchor: Date;
};
export type Story = { tables: Tables; usage: (Row & { occurred_at: Date })[]; milestones: Row[] };

const FIRST = "Maria James Aiko Lars Priya Tom Sofia Omar Chen Eva Jonas Lina Mateo Nora Ravi Zoe".split(" ");
const LAST = "Lopez Smith Tanaka Berg Patel Novak Rossi Haddad Wei Keller Moreau Olsen Silva Quinn".split(" ");
const COMPANY = "Bright Harbor Summit Copper Northern Blue Maple Granite Silver Oak River Pixel".split(" ");
const KIND = "Analytics Studio Logistics Health Robotics Media Foods Works Partners Labs Energy Design".split(" ");

/** First-touch sources, roughly as a B2B SaaS sees them. */
const SOURCES = {
  google_ads: {
    utm_source: "google",
    utm_medium: "cpc",
    utm_campaign: "project-tool-search",
    landing_path: "/pricing",
  },
  linkedin: { utm_source: "linkedin", utm_medium: "paid-social", utm_campaign: "growing-teams", landing_path: "/" },
  newsletter: { utm_source: "newsletter", utm_medium: "email", utm_campaign: "monthly-digest", landing_path: "/" },
  partner: { utm_source: "partner", utm_medium: "referral", utm_campaign: "agency-program", landing_path: "/qualify" },
  organic: { referrer: "https://www.google.com", landing_path: "/" },
  direct: { landing_path: "/" },
} as const;

/**
 * Account `index` of `context.seed`: its rows by table (`tables`), its product's events (`usage`,
 * backfill) and the milestones they reached. Signs up 1–182 days before `context.anchor`; removals
 * follow the sweeps' own retention periods (TRIAL_RETENTION_MS, SUBSCRIPTION_RETENTION_MS), so a
 * removal still ahead is left to the sweep at its time, never bunched.
 */
export function buildStory(context: StoryContext, index: number): Story {
  const { seed, catalog, now } = context;
  const random = new Random("demo-history", seed, index);
  const id = (...parts: (string | number)[]) => historyId(seed, index, ...parts);
  const key = (...parts: (string | number)[]) => historyKey(seed, index, ...parts);
  const tables: Tables = {};
  const add = (table: string, row: Row) => (tables[table] ??= []).push(row);
  const usage: Story["usage"] = [];
  const milestones: Row[] = [];
  const past = (at: number) => Math.min(at, now.getTime() - 60_000);

  // Who they are, where they came from, what they asked for.
  const company = `${random.pick(COMPANY)} ${random.pick(KIND)}`;
  const size = random.weighted({ "1-10": 30, "11-50": 40, "51-200": 20, "201-1000": 8, "1000+": 2 } as const);
  const team = {
    "1-10": random.int(2, 5),
    "11-50": random.int(3, 9),
    "51-200": random.int(5, 14),
    "201-1000": random.int(8, 20),
    "1000+": random.int(10, 25),
  }[size];
  const offsetDays = random.int(1, HISTORY_DAYS);
  const signupAt =
    context.anchor.getTime() - offsetDays * DAY_MS + random.int(8, 18) * HOUR_MS + random.int(0, HOUR_MS - 1);
  const source = random.weighted({
    google_ads: 25,
    linkedin: 15,
    newsletter: 10,
    partner: 10,
    organic: 25,
    direct: 15,
  });
  const firstSeen = signupAt - random.int(10, 60 * 24 * 3) * 60_000;
  const attribution = { ...SOURCES[source], first_seen_at: new Date(firstSeen).toISOString() };
  const engagement = random.weighted<Engagement>({ thriving: 25, steady: 25, slow: 20, never: 30 });

  const people: (ProductUser & { portalId: string })[] = Array.from({ length: team }, (_, j) => {
    const [first, last] = [random.pick(FIRST), random.pick(LAST)];
    return {
      portalId: id("user", j),
      userId: `usr_${key("user", j).slice(0, 12)}`,
      name: `${first} ${last}`,
      email: `${first}.${last}.${seed}-${index}-${j}@example.com`.toLowerCase(),
    };
  });
  const owner = people[0]!;
  const organisationId = id("organisation");
  const portalMembers = people.slice(0, Math.min(team, 1 + random.int(0, 2)));
  const audit = (
    at: number,
    actor: { type: string; id: string | null },
    action: string,
    subject: [string, string],
    details: Row = {},
  ) =>
    add("audit_events", {
      id: id("audit", action, subject[1], at),
      occurred_at: new Date(at),
      actor_type: actor.type,
      actor_id: actor.id,
      action,
      subject_type: subject[0],
      subject_id: subject[1],
      organisation_id: organisationId,
      details,
    });
  const system = { type: "system", id: null };
  const ownerActor = { type: "user", id: owner.portalId };

  portalMembers.forEach((person, j) => {
    const joined = signupAt + j * random.int(1, 4) * DAY_MS;
    add("users", {
      id: person.portalId,
      email: person.email,
      name: person.name,
      password_hash: "!demo-history: no password, cannot sign in",
      email_verified_at: new Date(past(joined + 5 * 60_000)),
      created_at: new Date(past(joined)),
      updated_at: new Date(past(joined)),
    });
  });
  add("organisations", {
    id: organisationId,
    name: company,
    attribution,
    created_by: owner.portalId,
    created_at: new Date(signupAt),
  });
  portalMembers.forEach((person, j) =>
    add("memberships", {
      organisation_id: organisationId,
      user_id: person.portalId,
      role: j === 0 ? "owner" : "member",
      created_at: new Date(past(signupAt + j * DAY_MS)),
    }),
  );
  audit(signupAt, { type: "user", id: owner.portalId }, "user.signed_up", ["user", owner.portalId], { company });

  const selfServe = catalog.plans.filter((plan) => plan.salesMode === "self_serve" && plan.trialDays > 0);
  let plan: CatalogPlan = selfServe[Number(random.weighted({ 0: 45, 1: 42, 2: 13 }))] ?? selfServe[0]!;
  if (random.chance(0.7)) {
    const answers: QualificationAnswers = {
      companySize: size,
      useCase: random.pick(["project_management", "client_work", "software_delivery", "operations", "other"] as const),
      seats: team,
      mustHaves: random.chance(0.5) ? [random.pick(["integrations", "guests", "automations"])] : [],
      compliance: random.chance(0.15) ? [random.pick(["sso", "audit_log", "eu_data_residency"] as const)] : [],
      budget: random.pick(["100_500", "500_2000", "2000_10000", "unknown"] as const),
      timeline: random.pick(["now", "this_quarter", "later", "just_looking"] as const),
    };
    const fit = evaluateFit(answers, catalog);
    const leadId = id("lead");
    add("leads", {
      id: leadId,
      created_at: new Date(signupAt - random.int(2, 40) * 60_000),
      answers,
      verdict: fit.verdict,
      plan_slug: fit.planSlug,
      score: fit.score,
      result: fit,
      attribution,
      organisation_id: organisationId,
      user_id: owner.portalId,
    });
    audit(signupAt + 1_000, ownerActor, "lead.linked", ["lead", leadId]);
    plan = selfServe.find((p) => p.slug === fit.planSlug && random.chance(0.8)) ?? plan;
  }
  // A prospect from the same campaigns who answered the questionnaire and never signed up (the funnel's top).
  if (random.chance(0.8)) {
    const answers: QualificationAnswers = {
      companySize: random.pick(["1-10", "11-50", "51-200"] as const),
      useCase: random.pick(["project_management", "client_work", "operations"] as const),
      seats: random.int(1, 40),
      mustHaves: [],
      compliance: [],
      budget: random.pick(["under_100", "100_500", "unknown"] as const),
      timeline: random.pick(["later", "just_looking", "this_quarter"] as const),
    };
    const fit = evaluateFit(answers, catalog);
    const at = Math.max(signupAt - random.int(1, 20) * DAY_MS, context.anchor.getTime() - HISTORY_DAYS * DAY_MS);
    add("leads", {
      id: id("prospect"),
      created_at: new Date(at),
      answers,
      verdict: fit.verdict,
      plan_slug: fit.planSlug,
      score: fit.score,
      result: fit,
      attribution: {
        ...SOURCES[random.weighted({ google_ads: 3, linkedin: 2, newsletter: 1, organic: 3 })],
        first_seen_at: new Date(at - HOUR_MS).toISOString(),
      },
      organisation_id: null,
      user_id: null,
    });
  }
  const seatsFor = (p: CatalogPlan, wanted: number) =>
    p.pricingModel === "per_seat"
      ? Math.max(p.minSeats, Math.min(p.maxSeats ?? wanted, wanted))
      : (p.maxSeats ?? p.minSeats);

  // Service instances, their provisioning and their product's usage.
  let requestCount = 0;
  type Instance = { id: string; start: number; plan: CatalogPlan; seats: number; manual: boolean };
  const request = (
    instance: Instance,
    operation: string,
    at: number,
    target: CatalogPlan,
    seats: number,
    outcome: "succeeded" | "failed" | "waiting_staff" = "succeeded",
  ) => {
    const requestId = id("request", (requestCount += 1));
    const policy = context.policies[target.slug]!;
    const manualSetup = policy.provisioner === "manual" && operation === "provision";
    const doneAt = past(at + (manualSetup ? random.int(3, 20) * HOUR_MS : random.int(2, 9) * 1_000));
    const slaDue = at + (manualSetup ? 24 * HOUR_MS : 15 * 60_000);
    add("provisioning_requests", {
      id: requestId,
      account_id: organisationId,
      instance_id: instance.id,
      operation,
      status: outcome,
      provisioner: policy.provisioner,
      config: policy.config,
      snapshot: snapshotOf(catalog, target, seats, null),
      attempts: outcome === "failed" ? 5 : 1,
      max_attempts: policy.provisioner === "manual" ? 1 : 5,
      result: outcome === "succeeded" && operation === "provision" ? accessOf(instance) : null,
      last_error: outcome === "failed" ? "The control plane answered 503 five times" : null,
      waiting_reason: outcome === "waiting_staff" ? "Our team sets up this workspace by hand." : null,
      sla_due_at: new Date(slaDue),
      // Past its SLA and not done: staff were told then, so the SLA sweep does not tell them again now.
      sla_notified_at: outcome !== "succeeded" && slaDue < now.getTime() ? new Date(slaDue) : null,
      idempotency_key: `history:${seed}:${index}:${requestCount}`,
      created_at: new Date(at),
      updated_at: new Date(outcome === "waiting_staff" ? at : doneAt),
      completed_at: outcome === "waiting_staff" ? null : new Date(doneAt),
    });
    const steps: [string | null, string, number, string][] = [[null, "queued", at, `${operation} requested`]];
    steps.push(["queued", "running", at + 1_000, "Started"]);
    if (outcome === "waiting_staff")
      steps.push(["running", "waiting_staff", at + 2_000, "Waiting for staff to set it up"]);
    else if (outcome === "failed")
      steps.push(["running", "failed", doneAt, "The control plane answered 503 five times"]);
    else steps.push(["running", "succeeded", doneAt, "Done"]);
    steps.forEach(([from, to, when, message]) =>
      add("provisioning_events", {
        request_id: requestId,
        occurred_at: new Date(past(when)),
        actor_type: manualSetup && to === "succeeded" ? "staff" : "system",
        from_status: from,
        to_status: to,
        message,
      }),
    );
    return { requestId, doneAt };
  };
  const accessOf = (instance: Instance): Row =>
    instance.manual
      ? {
          workspace_url: `https://${slug(company)}.eu.northwind.example`,
          admin_email: owner.email,
          region: "eu-central",
        }
      : {
          workspace_url: `${context.appUrl}/demo/${subdomain(instance)}`,
          plan: instance.plan.name,
          seats: String(instance.seats),
        };
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
  const subdomain = (instance: Instance) => `${slug(company).slice(0, 30)}-${instance.id.slice(0, 8)}`;

  const settleInstance = (
    instance: Instance,
    status: "active" | "suspended" | "deprovisioned" | "pending",
    updatedAt: number,
    usageTo: number,
    fadeFrom: number | null,
  ) => {
    add("service_instances", {
      id: instance.id,
      account_id: organisationId,
      product_slug: catalog.product.slug,
      plan_slug: instance.plan.slug,
      status,
      access: status === "pending" ? null : accessOf(instance),
      snapshot: snapshotOf(catalog, instance.plan, instance.seats, null),
      created_at: new Date(instance.start),
      updated_at: new Date(past(updatedAt)),
    });
    if (!instance.manual)
      add("demo_tenants", {
        instance_id: instance.id,
        subdomain: subdomain(instance),
        plan_slug: instance.plan.slug,
        limits: snapshotOf(catalog, instance.plan, instance.seats, null).limits,
        seats: instance.seats,
        status: { active: "active", suspended: "suspended", deprovisioned: "deleted", pending: "active" }[status],
        updated_at: new Date(past(updatedAt)),
      });
    if (status === "pending") return;
    const events = simulateUsage({
      random: new Random("demo-history-usage", seed, index, instance.id),
      idPrefix: `hist-${seed}-${index}-${instance.id.slice(0, 8)}`,
      engagement,
      company,
      groupId: instance.id,
      people,
      from: new Date(instance.start + 10 * 60_000),
      to: new Date(usageTo),
      fadeFrom: fadeFrom === null ? null : new Date(fadeFrom),
      now,
    });
    for (const event of events) usage.push(usageRow(instance.id, organisationId, event));
    for (const reached of milestonesReached(instance.plan.milestones, events, new Date(instance.start)))
      milestones.push({
        instance_id: instance.id,
        account_id: organisationId,
        milestone_key: reached.key,
        reached_at: reached.reachedAt,
        recorded_at: reached.reachedAt,
      });
  };

  // The trial, or a purchase straight away.
  const firstInstance: Instance = {
    id: id("instance", 1),
    start: signupAt + random.int(5, 36 * 60) * 60_000,
    plan,
    seats: seatsFor(plan, team),
    manual: context.policies[plan.slug]!.provisioner === "manual",
  };
  let subscriptionStart: number | null = null;
  let instance = firstInstance;
  if (random.chance(0.85) && firstInstance.start < now.getTime()) {
    const trialId = id("trial");
    const start = firstInstance.start;
    // A setup staff do by hand, asked for in the last two days, may still wait for them (and the trial's clock with it).
    const waiting = firstInstance.manual && start > now.getTime() - 2 * DAY_MS && random.chance(0.7);
    const provisioned = request(
      firstInstance,
      "provision",
      start,
      plan,
      firstInstance.seats,
      waiting ? "waiting_staff" : "succeeded",
    );
    const clockFrom = firstInstance.manual ? provisioned.doneAt : start;
    const endsAt = clockFrom + plan.trialDays * DAY_MS;
    const convertChance = { thriving: 0.5, steady: 0.25, slow: 0.05, never: 0 }[engagement];
    const converts = endsAt <= now.getTime() && random.chance(convertChance);
    const convertAt =
      clockFrom + random.int(Math.floor(plan.trialDays / 2), plan.trialDays - 1) * DAY_MS + random.int(1, 8) * HOUR_MS;
    audit(start, ownerActor, "trial.started", ["trial", trialId], {
      plan: plan.slug,
      endsAt: firstInstance.manual ? null : new Date(endsAt),
      lengthDays: plan.trialDays,
      grantId: null,
    });
    if (firstInstance.manual && !waiting)
      audit(provisioned.doneAt, system, "trial.clock_started", ["trial", trialId], {
        endsAt: new Date(endsAt),
        lengthDays: plan.trialDays,
      });
    const trial: Row = {
      id: trialId,
      account_id: organisationId,
      product_slug: catalog.product.slug,
      plan_slug: plan.slug,
      instance_id: firstInstance.id,
      started_at: new Date(start),
      ends_at: waiting ? null : new Date(endsAt),
      length_days: plan.trialDays,
      started_by: owner.portalId,
      reminder_sent_at: null,
      expired_at: null,
      deprovision_requested_at: null,
    };
    if (waiting) {
      // The clock waits for the setup (issue 14, item 9); the request shows in staff's queue.
      add("trials", { ...trial, status: "active" });
      settleInstance(firstInstance, "pending", start, start, null);
      return { tables, usage, milestones };
    }
    if (endsAt > now.getTime()) {
      // Still running: its "3 days left" email went out if it was due.
      const reminder = endsAt - 3 * DAY_MS;
      add("trials", {
        ...trial,
        status: "active",
        reminder_sent_at: reminder <= now.getTime() ? new Date(reminder) : null,
      });
      settleInstance(firstInstance, "active", start, now.getTime(), null);
      return { tables, usage, milestones };
    }
    // Staff called about some trials while they ran (issue 16's outreach record): more of those that
    // went on to buy, as sales-assisted trials convert more often. A draw of its own, so the rest of
    // the story stays as it was.
    const outreach = new Random("demo-history-outreach", seed, index);
    if (outreach.chance(converts ? 0.5 : 0.2))
      add("trial_outreach", {
        trial_id: trialId,
        first_contact_at: new Date(
          Math.min(start + outreach.int(1, 5) * DAY_MS, (converts ? convertAt : endsAt) - HOUR_MS),
        ),
        staff_id: null,
        via: outreach.chance(0.7) ? "called" : "emailed",
        before_outcome: true,
      });
    if (converts) {
      const reminder = endsAt - 3 * DAY_MS;
      add("trials", {
        ...trial,
        status: "converted",
        reminder_sent_at: convertAt > reminder ? new Date(reminder) : null,
      });
      subscriptionStart = convertAt;
    } else {
      const removeAt = endsAt + TRIAL_RETENTION_MS;
      const removed = removeAt <= now.getTime();
      add("trials", {
        ...trial,
        status: "expired",
        reminder_sent_at: new Date(endsAt - 3 * DAY_MS),
        expired_at: new Date(endsAt),
        deprovision_requested_at: removed ? new Date(removeAt) : null,
      });
      audit(endsAt, system, "trial.expired", ["trial", trialId]);
      request(firstInstance, "suspend", endsAt, plan, firstInstance.seats);
      if (removed) {
        audit(removeAt, system, "trial.removed", ["trial", trialId]);
        request(firstInstance, "deprovision", removeAt, plan, firstInstance.seats);
      }
      if (random.chance(0.3))
        order(endsAt - random.int(1, 3) * DAY_MS, plan, "month", firstInstance.seats, "expired", null, null);
      settleInstance(firstInstance, removed ? "deprovisioned" : "suspended", removed ? removeAt : endsAt, endsAt, null);
      return { tables, usage, milestones };
    }
  } else {
    subscriptionStart = Math.min(firstInstance.start, now.getTime() - HOUR_MS);
    firstInstance.start = subscriptionStart;
  }

  // Orders, the Stripe customer and the subscriptions that follow.
  function order(
    at: number,
    target: CatalogPlan,
    interval: BillingInterval,
    seats: number,
    status: "fulfilled" | "expired",
    subscriptionId: string | null,
    requestId: string | null,
  ) {
    const orderId = id("order", at);
    const total = orderTotal(target, interval, seats);
    add("orders", {
      id: orderId,
      account_id: organisationId,
      ordered_by: owner.portalId,
      product_slug: catalog.product.slug,
      plan_slug: target.slug,
      interval,
      seats,
      currency: target.prices[interval].currency,
      total_amount: total,
      status,
      stripe_checkout_session_id: `cs_hist_${key("checkout", at)}`,
      checkout_url: null,
      stripe_subscription_id: subscriptionId,
      provisioning_request_id: requestId,
      created_at: new Date(at - 4 * 60_000),
      updated_at: new Date(at),
      paid_at: status === "fulfilled" ? new Date(at) : null,
      charged_at_checkout: status === "fulfilled" ? total : null,
      first_charge_at: status === "fulfilled" ? new Date(at) : null,
      first_charge_amount: status === "fulfilled" ? total : null,
    });
    audit(at - 4 * 60_000, ownerActor, "order.checkout_opened", ["order", orderId], {
      plan: target.slug,
      interval,
      seats,
    });
    if (status === "fulfilled")
      audit(at, system, "order.paid", ["order", orderId], {
        provisioningRequest: requestId,
        trial: null,
        planSlug: target.slug,
        seats,
      });
  }

  const customerId = `cus_hist_${key("customer")}`;
  add("billing_customers", { account_id: organisationId, stripe_customer_id: customerId });
  let start = subscriptionStart!;
  for (let round = 1; round <= 2; round += 1) {
    const subscriptionId = `sub_hist_${key("subscription", round)}`;
    const interval: BillingInterval = random.chance(0.25) ? "year" : "month";
    let current = instance.plan;
    let seats = seatsFor(current, team);
    const purchase = request(
      instance,
      round === 1 && instance === firstInstance && tables.trials ? "modify" : "provision",
      start,
      current,
      seats,
    );
    order(start, current, interval, seats, "fulfilled", subscriptionId, purchase.requestId);
    const stripeEvent = (at: number, type: string, object: Row) =>
      add("stripe_events", {
        id: `evt_hist_${key("event", type, at)}`,
        type,
        received_at: new Date(at),
        processed_at: new Date(at + 2_000),
        payload: { id: `evt_hist_${key("event", type, at)}`, type, created: Math.floor(at / 1000), data: { object } },
      });
    const invoice = (at: number, type: "invoice.paid" | "invoice.payment_failed", reason: string) => {
      const amount = orderTotal(current, interval, seats);
      stripeEvent(at, type, {
        id: `in_hist_${key("invoice", at)}`,
        object: "invoice",
        customer: customerId,
        subscription: subscriptionId,
        billing_reason: reason,
        currency: current.prices[interval].currency.toLowerCase(),
        amount_due: amount,
        amount_paid: type === "invoice.paid" ? amount : 0,
        status: type === "invoice.paid" ? "paid" : "open",
      });
    };
    invoice(start, "invoice.paid", "subscription_create");
    // The subscription ledger (issue 17) as the webhooks would have written it, one row per MRR change.
    let mrr = 0;
    const ledger = (at: number, eventType: string, change: string, status: string, reason: string | null = null) => {
      const currency = current.prices[interval].currency.toLowerCase();
      const after =
        status !== "canceled" ? Math.round(orderTotal(current, interval, seats) / (interval === "year" ? 12 : 1)) : 0;
      add("subscription_ledger", {
        subscription_id: subscriptionId,
        account_id: organisationId,
        change,
        occurred_at: new Date(at),
        mrr_before_minor: mrr,
        mrr_after_minor: after,
        currency,
        reporting_before_minor: toReporting(mrr, currency),
        reporting_after_minor: toReporting(after, currency),
        reporting_currency: REPORTING_CURRENCY,
        plan_slug: current.slug,
        quantity: seats,
        status,
        reason,
        stripe_event_id: `evt_hist_${key("event", eventType, at)}`,
      });
      mrr = after;
    };
    ledger(start, "invoice.paid", "created", "active");

    const months = interval === "year" ? 12 : 1;
    const churn = { thriving: 0.015, steady: 0.035, slow: 0.08, never: 0.15 }[engagement];
    let status = "active";
    let endedAt: number | null = null;
    let failedAt: number | null = null;
    let cancelAtPeriodEnd = false;
    let periodEnd = addMonths(start, months);
    let upgraded = false;
    let provisionedSeats = seats;
    let lastChange = start;
    /** The owner moved to a bigger plan or more users at `at`: audited by the portal, then mirrored from Stripe. */
    const upgradedAt = (at: number, change: "plan" | "users") => {
      audit(at, ownerActor, "subscription.upgraded", ["subscription", subscriptionId], {
        planSlug: current.slug,
        interval,
        seats,
      });
      stripeEvent(at + 1_000, "customer.subscription.updated", {
        id: subscriptionId,
        object: "subscription",
        status,
        quantity: seats,
      });
      ledger(at + 1_000, "customer.subscription.updated", change, status);
      lastChange = at;
    };
    for (let month = 1; status === "active"; month += 1) {
      const mid = addMonths(start, month - 1) + random.int(5, 25) * DAY_MS;
      if (mid < now.getTime() && mid < periodEnd) {
        if (engagement === "thriving" && !upgraded && current.slug === "starter" && random.chance(0.15)) {
          upgraded = true;
          current = selfServe.find((p) => p.slug === "team") ?? current;
          seats = seatsFor(current, seats);
          provisionedSeats = seats;
          request(instance, "modify", mid, current, seats);
          upgradedAt(mid, "plan");
        } else if (
          engagement !== "never" &&
          current.pricingModel === "per_seat" &&
          random.chance(0.1) &&
          seats < (current.maxSeats ?? 999)
        ) {
          seats = Math.min(seats + random.int(1, 3), current.maxSeats ?? Infinity);
          // A few changes fail at the control plane: billed for more users than the service has, in staff's queue.
          const failed = random.chance(0.1);
          request(instance, "modify", mid, current, seats, failed ? "failed" : "succeeded");
          if (!failed) provisionedSeats = seats;
          upgradedAt(mid, "users");
        }
      }
      if (periodEnd > now.getTime()) {
        if (random.chance(churn)) cancelAtPeriodEnd = true;
        break;
      }
      const renewal = periodEnd;
      if (random.chance(churn)) {
        // Voluntary: cancelled at the period end.
        status = "canceled";
        endedAt = renewal;
        stripeEvent(renewal, "customer.subscription.deleted", {
          id: subscriptionId,
          object: "subscription",
          status,
          cancellation_details: { reason: "cancellation_requested" },
        });
        ledger(renewal, "customer.subscription.deleted", "cancellation", status, "cancellation_requested");
      } else if (random.chance(0.05)) {
        invoice(renewal, "invoice.payment_failed", "subscription_cycle");
        const recoveredAt = renewal + random.int(1, 7) * DAY_MS;
        if (random.chance(0.65)) {
          if (recoveredAt > now.getTime()) {
            [status, failedAt, periodEnd] = ["past_due", renewal, addMonths(renewal, months)];
            break;
          }
          invoice(recoveredAt, "invoice.paid", "subscription_cycle");
        } else {
          const giveUp = renewal + 14 * DAY_MS;
          if (giveUp > now.getTime()) {
            [status, failedAt, periodEnd] = ["past_due", renewal, addMonths(renewal, months)];
            break;
          }
          status = "canceled";
          endedAt = giveUp;
          stripeEvent(giveUp, "customer.subscription.deleted", {
            id: subscriptionId,
            object: "subscription",
            status,
            cancellation_details: { reason: "payment_failed" },
          });
          ledger(giveUp, "customer.subscription.deleted", "cancellation", status, "payment_failed");
        }
      } else invoice(renewal, "invoice.paid", "subscription_cycle");
      if (status === "active") periodEnd = addMonths(periodEnd, months);
    }
    const removeAt = endedAt === null ? null : endedAt + SUBSCRIPTION_RETENTION_MS;
    const removed = removeAt !== null && removeAt <= now.getTime();
    if (endedAt !== null) {
      request(instance, "suspend", endedAt, current, seats);
      if (removed) {
        request(instance, "deprovision", removeAt!, current, seats);
        audit(removeAt!, system, "subscription.removed", ["subscription", subscriptionId], {
          endedAt: new Date(endedAt),
        });
      }
    }
    add("subscriptions", {
      id: subscriptionId,
      account_id: organisationId,
      status,
      plan_slug: current.slug,
      stripe_price_id: context.policies[current.slug]!.stripePrices[interval] ?? null,
      quantity: seats,
      mrr_minor: mrr,
      currency: current.prices[interval].currency.toLowerCase(),
      billing_interval: interval,
      current_period_end: new Date(endedAt ?? periodEnd),
      cancel_at_period_end: cancelAtPeriodEnd,
      payment_failed_at: failedAt === null ? null : new Date(failedAt),
      ended_at: endedAt === null ? null : new Date(endedAt),
      deprovision_requested_at: removed ? new Date(removeAt!) : null,
      instance_id: instance.id,
      updated_at: new Date(past(endedAt ?? failedAt ?? lastChange)),
    });
    const fadeFrom = endedAt !== null || cancelAtPeriodEnd ? (endedAt ?? periodEnd) - 45 * DAY_MS : null;
    instance = { ...instance, plan: current, seats: provisionedSeats };
    settleInstance(
      instance,
      endedAt === null ? "active" : removed ? "deprovisioned" : "suspended",
      removed ? removeAt! : (endedAt ?? lastChange),
      endedAt ?? now.getTime(),
      fadeFrom,
    );
    // A few who left come back within weeks, to a new workspace.
    const back = endedAt === null ? null : endedAt + random.int(10, 40) * DAY_MS;
    if (round === 2 || back === null || back > now.getTime() - DAY_MS || !random.chance(0.4)) break;
    start = back;
    instance = { id: id("instance", 2), start: back, plan: current, seats, manual: instance.manual };
  }
  return { tables, usage, milestones };
}

function usageRow(instanceId: string, accountId: string, event: UsageEventRow): Row & { occurred_at: Date } {
  return {
    instance_id: instanceId,
    account_id: accountId,
    message_id: event.messageId,
    type: event.type,
    event: event.event,
    user_id: event.userId,
    occurred_at: event.occurredAt,
    properties: event.properties,
  };
}

/** The same day of the month `months` later (clamped to the month's end), in UTC. */
function addMonths(at: number, months: number): number {
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return date.getTime();
}
