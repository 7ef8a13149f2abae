import type {
  ActivationMilestone,
  BillingInterval,
  FaqEntry,
  FeatureKind,
  FeatureValue,
  PlanSalesMode,
  PricingModel,
  ProvisioningTrigger,
} from "../schema";

export type FeatureDefinition = {
  key: string;
  name: string;
  description: string;
  group: string;
  kind: FeatureKind;
  unit?: string;
};

export type PlanDefinition = {
  slug: string;
  name: string;
  summary: string;
  description: string;
  salesMode: PlanSalesMode;
  pricingModel: PricingModel;
  minSeats: number;
  maxSeats: number | null;
  trialDays: number;
  highlighted?: boolean;
  provisioner: string;
  provisioningTrigger: ProvisioningTrigger;
  provisioningConfig?: Record<string, unknown>;
  /** Integer minor units per interval, per seat when pricingModel is per_seat. */
  prices: Record<BillingInterval, number>;
  currency: string;
  /** Every feature key of the product; limits take a number, or null for unlimited. */
  features: Record<string, FeatureValue>;
  /** Steps to first value, checked in this order (ADR 21); the share reached is the activation figure. */
  milestones: ActivationMilestone[];
};

export type CatalogDefinition = {
  slug: string;
  name: string;
  tagline: string;
  description: string;
  faq: FaqEntry[];
  features: FeatureDefinition[];
  plans: PlanDefinition[];
};

const features: FeatureDefinition[] = [
  {
    key: "projects",
    name: "Projects",
    description: "Active projects in the workspace.",
    group: "Usage",
    kind: "limit",
  },
  {
    key: "storage_gb",
    name: "File storage",
    description: "Storage for attachments and exports.",
    group: "Usage",
    kind: "limit",
    unit: "GB",
  },
  {
    key: "api_calls",
    name: "API calls per month",
    description: "Requests to the public REST API.",
    group: "Usage",
    kind: "limit",
  },
  {
    key: "integrations",
    name: "Slack and GitHub integrations",
    description: "Post updates to Slack, link pull requests to tasks.",
    group: "Collaboration",
    kind: "flag",
  },
  {
    key: "guests",
    name: "Guest access",
    description: "Invite clients and contractors to selected projects at no charge.",
    group: "Collaboration",
    kind: "flag",
  },
  {
    key: "automations",
    name: "Workflow automations",
    description: "Rules that move, assign and notify without manual work.",
    group: "Collaboration",
    kind: "flag",
  },
  {
    key: "audit_log",
    name: "Audit log",
    description: "Who changed what and when, exportable.",
    group: "Security and compliance",
    kind: "flag",
  },
  {
    key: "sso",
    name: "SAML single sign-on",
    description: "Sign in through Okta, Entra ID or any SAML 2.0 provider.",
    group: "Security and compliance",
    kind: "flag",
  },
  {
    key: "eu_residency",
    name: "EU data residency",
    description: "All data stored and processed in the EU.",
    group: "Security and compliance",
    kind: "flag",
  },
  {
    key: "dedicated_instance",
    name: "Dedicated instance",
    description: "A single-tenant deployment with its own database.",
    group: "Security and compliance",
    kind: "flag",
  },
  {
    key: "uptime_sla",
    name: "99.9% uptime SLA",
    description: "Service credits when monthly uptime falls below 99.9%.",
    group: "Support",
    kind: "flag",
  },
  {
    key: "priority_support",
    name: "Priority support",
    description: "First answer within 4 business hours.",
    group: "Support",
    kind: "flag",
  },
  {
    key: "onboarding_manager",
    name: "Onboarding manager",
    description: "A named person who plans your rollout with you.",
    group: "Support",
    kind: "flag",
  },
];

/** The event names below are the ones the product reports (docs/usage-api.md); the demo workspace sends them. */
const firstProject: ActivationMilestone = {
  key: "first_project",
  counted: { one: "project created", other: "projects created" },
  title: "Create your first project",
  kind: "event",
  event: "Project Created",
  count: 1,
  windowDays: 14,
  link: "/projects",
};
const twoTeammates: ActivationMilestone = {
  key: "two_teammates",
  counted: { one: "teammate invited", other: "teammates invited" },
  title: "Invite 2 teammates",
  kind: "event",
  event: "Teammate Invited",
  count: 2,
  windowDays: 14,
  link: "/team",
};
const threeDays: ActivationMilestone = {
  key: "three_days_first_week",
  counted: { one: "day", other: "different days" },
  title: "Use it on 3 different days in the first week",
  kind: "active_days",
  days: 3,
  windowDays: 7,
  link: null,
};
const integration: ActivationMilestone = {
  key: "integration",
  counted: { one: "integration connected", other: "integrations connected" },
  title: "Connect Slack or GitHub",
  kind: "event",
  event: "Integration Connected",
  count: 1,
  windowDays: 14,
  link: "/integrations",
};
const firstWeekMilestones = [firstProject, twoTeammates, threeDays];
const teamMilestones = [firstProject, twoTeammates, integration, threeDays];
/** A rollout with an onboarding manager takes longer: the same steps over 30 days, and more people. */
const rolloutMilestones: ActivationMilestone[] = [
  { ...firstProject, windowDays: 30 },
  { ...twoTeammates, key: "five_teammates", title: "Invite 5 teammates", count: 5, windowDays: 30 },
  { ...integration, windowDays: 30 },
  {
    ...threeDays,
    key: "three_days_first_fortnight",
    title: "Use it on 3 different days in the first two weeks",
    windowDays: 14,
  },
];

export const demoCatalog: CatalogDefinition = {
  slug: "northwind-projects",
  name: "Northwind Projects",
  tagline: "Project workspaces your whole team actually uses.",
  description:
    "Northwind Projects brings plans, tasks, files and decisions into one workspace, so growing teams ship on time without status meetings.",
  faq: [
    {
      question: "Do I need a credit card to start a trial?",
      answer:
        "No. Start a free trial of any self-serve plan with just your work email. You decide whether to buy when the trial ends.",
    },
    {
      question: "What happens to my work when the trial ends?",
      answer:
        "Buy any plan during or after the trial and you keep the same workspace with everything you built. Unbought workspaces are paused first and deleted only after a retention period.",
    },
    {
      question: "Can I change plans or seats later?",
      answer:
        "Yes. Upgrades apply at once and you pay the prorated difference; downgrades take effect at the end of the billing period.",
    },
    {
      question: "How quickly is my workspace ready?",
      answer:
        "Starter and Team workspaces are set up automatically within a minute. Business workspaces run in a dedicated EU region that our team sets up within one business day.",
    },
    {
      question: "How does annual billing work?",
      answer: "Annual plans are billed once a year and cost the same as ten months of monthly billing.",
    },
    {
      question: "Which payment methods do you accept?",
      answer: "All major credit and debit cards. Enterprise customers can also pay by invoice.",
    },
  ],
  features,
  plans: [
    {
      slug: "starter",
      name: "Starter",
      summary: "For small teams getting organised.",
      description:
        "Everything a small team needs to plan and track work together, set up automatically in under a minute.",
      salesMode: "self_serve",
      pricingModel: "per_seat",
      minSeats: 1,
      maxSeats: 10,
      trialDays: 14,
      provisioner: "demo",
      provisioningTrigger: "on_payment",
      prices: { month: 1200, year: 12000 },
      currency: "USD",
      features: {
        projects: 10,
        storage_gb: 20,
        api_calls: 10_000,
        integrations: true,
        guests: false,
        automations: false,
        audit_log: false,
        sso: false,
        eu_residency: false,
        dedicated_instance: false,
        uptime_sla: false,
        priority_support: false,
        onboarding_manager: false,
      },
      milestones: firstWeekMilestones,
    },
    {
      slug: "team",
      name: "Team",
      summary: "For growing teams that automate their workflow.",
      description:
        "Unlimited collaboration with guests and automations for teams that run many projects at once. Set up automatically.",
      salesMode: "self_serve",
      pricingModel: "per_seat",
      minSeats: 3,
      maxSeats: 200,
      trialDays: 14,
      highlighted: true,
      provisioner: "demo",
      provisioningTrigger: "on_payment",
      prices: { month: 2400, year: 24000 },
      currency: "USD",
      features: {
        projects: 100,
        storage_gb: 200,
        api_calls: 100_000,
        integrations: true,
        guests: true,
        automations: true,
        audit_log: true,
        sso: false,
        eu_residency: false,
        dedicated_instance: false,
        uptime_sla: false,
        priority_support: false,
        onboarding_manager: false,
      },
      milestones: teamMilestones,
    },
    {
      slug: "business",
      name: "Business",
      summary: "For organisations with security and residency needs.",
      description:
        "Single sign-on, EU data residency and an uptime SLA for up to 50 users at a flat price. Our team sets up your dedicated EU workspace within one business day.",
      salesMode: "self_serve",
      pricingModel: "flat",
      minSeats: 1,
      maxSeats: 50,
      trialDays: 14,
      provisioner: "manual",
      provisioningTrigger: "on_payment",
      provisioningConfig: {
        resultFields: [
          { key: "workspace_url", label: "Workspace URL", type: "url" },
          { key: "admin_email", label: "Administrator sign-in email", type: "email" },
          { key: "region", label: "Data region", type: "text" },
        ],
      },
      prices: { month: 99_000, year: 990_000 },
      currency: "USD",
      features: {
        projects: null,
        storage_gb: 1_000,
        api_calls: 1_000_000,
        integrations: true,
        guests: true,
        automations: true,
        audit_log: true,
        sso: true,
        eu_residency: true,
        dedicated_instance: false,
        uptime_sla: true,
        priority_support: true,
        onboarding_manager: false,
      },
      milestones: teamMilestones,
    },
    {
      slug: "enterprise",
      name: "Enterprise",
      summary: "For large rollouts with custom terms.",
      description:
        "A dedicated instance, custom contract terms and a named onboarding manager. Talk to us and we will shape the plan around your rollout.",
      salesMode: "contact_sales",
      pricingModel: "flat",
      minSeats: 1,
      maxSeats: null,
      trialDays: 0,
      provisioner: "manual",
      provisioningTrigger: "after_approval",
      provisioningConfig: {
        resultFields: [
          { key: "workspace_url", label: "Workspace URL", type: "url" },
          { key: "admin_email", label: "Administrator sign-in email", type: "email" },
        ],
      },
      prices: { month: 250_000, year: 2_500_000 },
      currency: "USD",
      features: {
        projects: null,
        storage_gb: null,
        api_calls: null,
        integrations: true,
        guests: true,
        automations: true,
        audit_log: true,
        sso: true,
        eu_residency: true,
        dedicated_instance: true,
        uptime_sla: true,
        priority_support: true,
        onboarding_manager: true,
      },
      milestones: rolloutMilestones,
    },
  ],
};
