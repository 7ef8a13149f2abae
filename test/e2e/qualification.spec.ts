import { expect, test, type Page } from "@playwright/test";
import { clientAddress, demoStaffLogin, logIn } from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

type Answers = {
  size: string;
  useCase: string;
  seats: number;
  mustHaves?: string[];
  compliance?: string[];
  budget: string;
  timeline: string;
};

async function qualify(page: Page, answers: Answers) {
  await page.goto("/qualify?utm_source=e2e-campaign");
  await page.getByRole("group", { name: "How many people work at your company?" }).getByLabel(answers.size).check();
  await page.getByRole("group", { name: "What will you mainly use it for?" }).getByLabel(answers.useCase).check();
  await page.getByLabel("How many people need access?").fill(String(answers.seats));
  for (const capability of answers.mustHaves ?? []) await page.getByLabel(capability).check();
  for (const need of answers.compliance ?? []) await page.getByLabel(need).check();
  await page.getByRole("group", { name: "What is your monthly budget?" }).getByLabel(answers.budget).check();
  await page
    .getByRole("group", { name: "When do you want to start?" })
    .getByLabel(answers.timeline, { exact: true })
    .check();
  await page.getByRole("button", { name: "See my answer" }).click();
  await expect(page).toHaveURL(/\/qualify\/results\/[0-9a-f-]{36}$/);
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a small team gets a self-serve plan, with a link it can reopen", async ({ page, browser }) => {
    await qualify(page, {
      size: "1–10 people",
      useCase: "Planning and tracking projects",
      seats: 5,
      budget: "$100–$500 a month",
      timeline: "Right away",
    });
    await expect(page.getByTestId("verdict")).toHaveAttribute("data-verdict", "fits");
    await expect(page.getByTestId("verdict")).toHaveText("Starter fits your needs");
    await expect(page.getByText("Estimated $60 a month")).toBeVisible();
    // The sign-up it leads to links this result, whichever the visitor answered last.
    await expect(page.getByRole("link", { name: "Start a free Starter trial" })).toHaveAttribute(
      "href",
      `/signup?plan=starter&lead=${page.url().split("/").pop()}`,
    );

    const shared = await browser.newContext({ javaScriptEnabled: false });
    const sharedPage = await shared.newPage();
    await sharedPage.goto(page.url());
    await expect(sharedPage.getByTestId("verdict")).toHaveText("Starter fits your needs");
    await shared.close();
  });

  test("unanswered questions are explained next to each question", async ({ page }) => {
    await page.goto("/qualify");
    await page.getByLabel("How many people need access?").fill("0");
    await page.getByRole("button", { name: "See my answer" }).click();
    await expect(page.getByText("Choose the size of your company")).toBeVisible();
    await expect(page.getByText("Enter how many people need access (1 to 100,000)")).toBeVisible();
    await expect(page.getByText("Choose when you want to start")).toBeVisible();
  });
});

test("a large company with a custom need is asked to talk to us, and can ask for a call", async ({ page }) => {
  await qualify(page, {
    size: "More than 1,000 people",
    useCase: "Software delivery",
    seats: 800,
    compliance: ["Dedicated (single-tenant) instance"],
    budget: "More than $10,000 a month",
    timeline: "This quarter",
  });
  await expect(page.getByTestId("verdict")).toHaveAttribute("data-verdict", "talk_to_us");
  await expect(page.getByTestId("verdict")).toContainText("Enterprise");
  await page.getByLabel("Your work email").fill("cio@bigcorp.example");
  await page.getByLabel("What would you like to discuss?").fill("Rollout to 800 engineers in Q1.");
  await page.getByRole("button", { name: "Ask our team to contact me" }).click();
  await expect(page.getByText("Our team will get back to you")).toBeVisible();
});

test("a need no plan meets gets an honest 'not a fit' with the reason", async ({ page }) => {
  await qualify(page, {
    size: "51–200 people",
    useCase: "Operations and recurring processes",
    seats: 60,
    compliance: ["On-premises installation"],
    budget: "Not sure yet",
    timeline: "Later than this quarter",
  });
  await expect(page.getByTestId("verdict")).toHaveAttribute("data-verdict", "not_a_fit");
  await expect(page.getByTestId("requirement-compliance:on_premises")).toContainText("Not offered");
  await expect(page.getByRole("link", { name: /Start a free/ })).toHaveCount(0);
});

test("staff see a new lead in the list and its detail, filtered by fit", async ({ page, browser }) => {
  const prospect = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const prospectPage = await prospect.newPage();
  await qualify(prospectPage, {
    size: "11–50 people",
    useCase: "Client work and agency projects",
    seats: 30,
    compliance: ["SAML single sign-on", "EU data residency"],
    budget: "$500–$2,000 a month",
    timeline: "Right away",
  });
  const leadId = prospectPage.url().split("/").pop()!;
  await prospect.close();

  const staff = demoStaffLogin();
  await logIn(page, staff.email, staff.password);
  await expect(page).toHaveURL(/\/staff$/);
  await page.getByRole("link", { name: "Leads" }).click();
  await page.getByLabel("Fit").selectOption("fits_higher_plan");
  await page.getByLabel("Plan").selectOption("business");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/verdict=fits_higher_plan/);
  const row = page.getByTestId("lead-row").filter({ has: page.locator(`a[href="/staff/leads/${leadId}"]`) });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Business");
  await row.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Fits a higher plan: Business");
  await expect(page.getByText("e2e-campaign")).toBeVisible();

  await page.goto("/staff/leads?verdict=not_a_fit&plan=business");
  await expect(page.locator(`a[href="/staff/leads/${leadId}"]`)).toHaveCount(0);
});
