import { expect, test, type APIRequestContext } from "@playwright/test";
import { budgets, companySizes, timelines, useCases } from "../../app/modules/qualification/questionnaire";
import { clientAddress, newCustomer, uniqueEmail, withDatabase } from "../support/e2e";

// Rule: every 429 answer carries Retry-After (whole seconds) and says in words when to try again.
// Each limit is driven to exhaustion against the running portal and its database, as a browser
// without JavaScript posts forms (the document answer) and as Remix's client does (`.data`).

/** Posts the form until the portal answers 429 (at most `budget` + 1 times), then checks that answer. */
async function exhaust(
  request: APIRequestContext,
  path: string,
  form: (attempt: number) => Record<string, string>,
  budget: number,
  headers: Record<string, string>,
) {
  let last = null as Awaited<ReturnType<APIRequestContext["post"]>> | null;
  for (let attempt = 0; attempt <= budget; attempt += 1) {
    last = await request.post(path, { form: form(attempt), headers, maxRedirects: 0 });
    if (last.status() === 429) break;
    expect(last.status(), `${path}, attempt ${attempt + 1}`).toBeLessThan(500);
  }
  expect(last!.status(), `${path} after ${budget + 1} attempts`).toBe(429);
  await expectRetryAfter(last!, path);
  // The same limit seen through Remix's single-fetch endpoint, as the browser's JavaScript posts it.
  const [pathname, query] = path.split("?");
  const dataPath = `${pathname === "/" ? "/_root" : pathname}.data${query ? `?${query}` : ""}`;
  const viaData = await request.post(dataPath, { form: form(budget + 1), headers, maxRedirects: 0 });
  expect(viaData.status(), dataPath).toBe(429);
  expect(Number(viaData.headers()["retry-after"]), dataPath).toBeGreaterThan(0);
}

async function expectRetryAfter(response: Awaited<ReturnType<APIRequestContext["post"]>>, path: string) {
  const retryAfter = response.headers()["retry-after"];
  expect(retryAfter, `Retry-After on ${path}`).toMatch(/^[1-9]\d*$/);
  expect(await response.text(), path).toMatch(/Try again in (a minute|\d+ minutes)/);
}

test("every 429 answer carries Retry-After and says when to try again", async ({ request, page, baseURL }) => {
  test.setTimeout(120_000);
  const origin = { Origin: baseURL! };
  const password = "a long enough password";

  // Login: failed attempts per address.
  const email = uniqueEmail("limited");
  await exhaust(request, "/login", () => ({ email, password: "not the password" }), 60, {
    ...origin,
    ...clientAddress(),
  });

  // Sign-up: per network.
  const signupNetwork = { ...origin, ...clientAddress() };
  await exhaust(
    request,
    "/signup",
    (i) => ({ name: "Sam", email: uniqueEmail(`signup${i}`), password, company: `Sam Co ${i}` }),
    20,
    signupNetwork,
  );

  // Forgot password: per address and network.
  const resetEmail = uniqueEmail("reset");
  await exhaust(request, "/forgot-password", () => ({ email: resetEmail }), 20, { ...origin, ...clientAddress() });

  // The questionnaire, its result page's contact form and "contact sales" share one budget per network.
  const prospect = { ...origin, ...clientAddress() };
  const contact = (i: number) => ({ email: uniqueEmail(`prospect${i}`), company: "Pro Co", seats: "20", message: "" });
  await exhaust(request, "/contact-sales", contact, 40, prospect);
  const answers = {
    companySize: companySizes[0],
    useCase: useCases[0],
    seats: "5",
    budget: budgets[0],
    timeline: timelines[0],
  };
  await exhaust(request, "/qualify?index", () => answers, 0, prospect);
  const [lead] = await withDatabase(
    (sql) =>
      sql<
        { id: string }[]
      >`insert into leads (answers, verdict, score, result) values ('{}', 'fits', 1, '{"verdict":"fits","reasons":[],"requirements":[]}') returning id`,
  );
  await exhaust(request, `/qualify/results/${lead!.id}`, contact, 0, prospect);

  // Invitations: per organisation, by its owner.
  const owner = await newCustomer(page, "Olive");
  const [organisation] = await withDatabase(
    (sql) =>
      sql<
        { id: string }[]
      >`select o.id from organisations o join users u on u.id = o.created_by where u.email = ${owner.email}`,
  );
  await exhaust(
    page.request,
    `/orgs/${organisation!.id}/members`,
    (i) => ({ intent: "invite", email: uniqueEmail(`invitee${i}`), role: "member" }),
    40,
    origin,
  );
});
