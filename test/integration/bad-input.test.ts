import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { request as httpRequest, type Server } from "node:http";
import path from "node:path";
import fc from "fast-check";
import { createServer as createViteServer, type ViteDevServer } from "vite";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../app/lib/env.server";
import { createLogger } from "../../app/lib/logger.server";
import { signUp } from "../../app/modules/accounts/accounts.server";
import { upsertStaffAccount } from "../../app/modules/accounts/staff.server";
import { requireCatalog } from "../../app/modules/catalog/catalog.server";
import { evaluateFit } from "../../app/modules/qualification/evaluate";
import { saveLead } from "../../app/modules/qualification/leads.server";
import { qualificationSchema } from "../../app/modules/qualification/questionnaire";
import { BODY_LIMITS } from "../../server/request-body";
import { createWebApp, type WebApp } from "../../server/web";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { routeContext, signedIn } from "../support/routes";
import { startWithClient, type EmulatorUnderTest } from "../support/stripe-emulator";

/**
 * Rule (issue 13): no input from outside answers 5xx, and input that is refused saves nothing.
 * Every route file is read from app/routes (a new route is covered without editing this test):
 * its URL, its `$…` segments, whether it has an action, the query parameters its loader reads and
 * the form fields its schemas name. fast-check then throws bad values at them as each role, through
 * the portal's real Express app and Remix handler (Vite's SSR build of the sources) on a real
 * database. The seed is printed on failure; rerun with FC_SEED=<seed> to replay it.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROUTES_DIR = path.join(ROOT, "app/routes");

type RouteFile = {
  file: string;
  /** The URL with `$param` segments left in. */
  pattern: string;
  params: string[];
  action: boolean;
  index: boolean;
  queryNames: string[];
  fields: string[];
  intents: string[];
};

/** Every source file under `dir` (for finding the schemas a route names). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
const schemaSources = [...sources(path.join(ROOT, "app")), ...sources(path.join(ROOT, "provisioning"))].map((file) =>
  readFileSync(file, "utf8"),
);

/** The keys of the object schema `name` (and of what it extends), wherever it is defined. */
function schemaKeys(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const keys: string[] = [];
  for (const source of schemaSources) {
    const start = source.search(new RegExp(`(?:const|let) ${name}\\b[^=]*=`));
    if (start < 0) continue;
    const body = source.slice(start, start + 3000).split(/\n\}\)|\n\]\);|\n\);/)[0]!;
    keys.push(...[...body.matchAll(/^\s{2,4}(\w+): /gm)].map((match) => match[1]!));
    for (const match of body.matchAll(/(\w+Schema)\.(?:extend|shape)/g)) keys.push(...schemaKeys(match[1]!, seen));
  }
  return keys;
}

function readRoute(file: string): RouteFile {
  const source = readFileSync(path.join(ROUTES_DIR, file), "utf8");
  // Remix flat routes: dots separate segments, "[.]" is a literal dot.
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(/(?<!\[)\.(?!\])/)
    .map((segment) => segment.replaceAll("[.]", "."));
  const index = segments.at(-1) === "_index";
  const parts = segments
    .filter((segment) => segment !== "_index")
    .map((segment) => (segment === "$" ? "any" : segment));
  const params = parts.filter((segment) => segment.startsWith("$")).map((segment) => segment.slice(1));
  const schemas = [...source.matchAll(/\b(\w*[sS]chema)\b/g)].map((match) => match[1]!);
  const fields = new Set([
    ...[...source.matchAll(/name="([\w.]+)"/g)].map((match) => match[1]!),
    ...[...source.matchAll(/formData\.get\("(\w+)"\)/g)].map((match) => match[1]!),
    ...schemas.flatMap((schema) => schemaKeys(schema)),
  ]);
  const queryNames = new Set([
    ...[...source.matchAll(/searchParams\.(?:get|has)\("(\w+)"\)/g)].map((match) => match[1]!),
    ...(/Object\.fromEntries\((?:url\.)?searchParams\)|fromEntries\(new URL/.test(source)
      ? schemas.flatMap((schema) => schemaKeys(schema))
      : []),
  ]);
  return {
    file,
    pattern: `/${parts.join("/")}`,
    params,
    action: /export (?:async )?function action\b/.test(source),
    index,
    queryNames: [...queryNames],
    fields: [...fields].filter((field) => field !== "intent"),
    intents: [...source.matchAll(/intent: z\.literal\("([\w-]+)"\)/g)].map((match) => match[1]!),
  };
}

const routes = readdirSync(ROUTES_DIR)
  .filter((file) => /\.tsx?$/.test(file))
  .map(readRoute);

/** A believable value per field name, so that one bad field is what a request gets refused for. */
const goodValues: Record<string, string> = {
  email: "ada@example.com",
  newEmail: "ada.new@example.com",
  password: "a long enough password",
  currentPassword: "a long enough password",
  newPassword: "another long password",
  name: "Ada Lovelace",
  company: "Analytical Engines",
  message: "Please call me.",
  reason: "Asked by the customer",
  seats: "3",
  days: "5",
  plan: "team",
  interval: "month",
  role: "member",
  companySize: "11-50",
  useCase: "project_management",
  budget: "unknown",
  timeline: "now",
};

/** Strings a person or a script may send where a well-formed value is expected. */
const badText = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "Ada\u0000Lovelace",
    "line\u0007bell",
    "tab\there",
    "\u001b[31mred",
    "\u0085next",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "9999-12-31",
    "0000-01-01",
    "-271821-04-20",
    "+275760-09-13",
    "2026-02-30",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000z",
    "%00",
    "../../etc/passwd",
    "'; select pg_sleep(1); --",
    "NaN",
    "-1",
    "1e309",
    "",
    " ",
  ),
  // Cursors as the lists write them, with out-of-range or malformed parts.
  fc
    .constantFrom(
      `9999-12-31T23:59:59.999Z|${randomUUID()}`,
      `+275760-09-13T00:00:00.000Z|${randomUUID()}`,
      `0000-01-01T00:00:00.000Z|${randomUUID()}`,
      `0|+010000-01-01T00:00:00.000Z|${randomUUID()}`,
      `9|2026-01-01T00:00:00.000Z|not-a-uuid`,
      "\u0000|\u0000",
    )
    .map((cursor) => Buffer.from(cursor).toString("base64url")),
  fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.string({ minLength: 2_001, maxLength: 6_000 }),
);

const badId = fc.oneof(
  fc.constantFrom("not-a-uuid", "__proto__", "constructor", "1", "%00", "ffffffff-ffff-ffff-ffff-fffffffffffff"),
  badText,
  fc.uuid().map(String),
);

type BodyKind = "form" | "multipart" | "array" | "json" | "text" | "broken-multipart" | "oversized" | "none";
/** Mostly well-formed forms, so that bad values reach the routes; the rest exercise the body rules. */
const bodyKinds: BodyKind[] = [
  ...Array<BodyKind>(5).fill("form"),
  "multipart",
  "array",
  "json",
  "text",
  "broken-multipart",
  "oversized",
];

type Role = "anonymous" | "customer" | "staff";

let database: TestDatabase;
let stripe: EmulatorUnderTest;
let vite: ViteDevServer;
let web: WebApp;
let server: Server;
let origin: string;
const cookies: Record<Role, string> = { anonymous: "", customer: "", staff: "" };
/** Real rows, so that a request with a good id reaches the code behind it. */
const knownIds: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startWithClient();
  const context = routeContext(database, stripe.stripe);
  const deps = { db: database.db, config: context.config };
  const outcome = await signUp(deps, {
    name: "Casey Customer",
    email: "casey@example.com",
    password: "a long enough password",
    company: "Casey Co",
  });
  expect(outcome.kind).toBe("check_email");
  const [customer] = await database.sql<{ user_id: string; organisation_id: string }[]>`
    update users set email_verified_at = now() from memberships
    where users.email = 'casey@example.com' and memberships.user_id = users.id
    returning users.id as user_id, memberships.organisation_id`;
  cookies.customer = await signedIn(context, customer!.user_id, customer!.organisation_id);
  const staff = await upsertStaffAccount(database.db, {
    email: "sam@staff.example",
    name: "Sam Staff",
    password: "a long enough password",
    role: "admin",
  });
  cookies.staff = await signedIn(context, staff.id, null as unknown as string);
  const answers = qualificationSchema.parse({ ...goodValues, mustHaves: [], compliance: [] });
  const fit = evaluateFit(answers, await requireCatalog(database.db));
  const leadId = await saveLead(database.db, {
    answers,
    verdict: fit.verdict,
    planSlug: fit.planSlug,
    score: fit.score,
    result: fit,
    attribution: null,
    userId: null,
    organisationId: null,
  });
  Object.assign(knownIds, {
    orgId: customer!.organisation_id,
    accountId: customer!.organisation_id,
    leadId,
  });

  vite = await createViteServer({
    root: ROOT,
    logLevel: "silent",
    server: { middlewareMode: true, hmr: false, ws: false },
  });
  const port = await getPort({ host: "127.0.0.1" });
  origin = `http://127.0.0.1:${port}`;
  web = await createWebApp({
    // Production mode, as people meet it: Remix sanitises errors, and anonymous pages go through the page cache.
    env: parseEnv({ NODE_ENV: "production", LOG_LEVEL: "silent", APP_URL: origin }),
    database,
    logger: createLogger("silent"),
    clientDir: path.join(ROOT, "build/client"),
    sessionSecret: context.config.sessionSecret,
    stripe: stripe.stripe,
    stripeWebhookSecret: "whsec_bad_input_test",
    checkoutOrigin: `http://127.0.0.1:${stripe.emulator.port}`,
    vite,
  });
  server = web.app.listen(port, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  // The first request compiles the app; later ones measure the routes.
  await fetch(`${origin}/login`);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await web?.close();
  await vite?.close();
  await stripe?.emulator.stop();
  if (database) await dropTestDatabase(database);
});

/**
 * Tables whose rows change on every request by design: attempts counted before the work, session
 * touches, and intent signals (a page re-rendered with the refusal is still a view of it).
 */
const VOLATILE = new Set(["rate_limits", "sessions", "worker_heartbeats", "__drizzle_migrations", "account_signals"]);

/** A fingerprint of every row the portal keeps, queued jobs included. */
async function snapshot(): Promise<Record<string, string>> {
  const tables = await database.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const parts = tables
    .filter(({ name }) => !VOLATILE.has(name))
    .map(
      ({ name }) =>
        `select '${name}' as name, md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as sum from "${name}" t`,
    );
  parts.push(`select 'jobs', count(*)::text from graphile_worker._private_jobs`);
  const rows = await database.sql.unsafe<{ name: string; sum: string }[]>(parts.join(" union all "));
  return Object.fromEntries(rows.map((row) => [row.name, row.sum]));
}

type Attempt = {
  route: RouteFile;
  role: Role;
  ids: Record<string, string>;
  method: "GET" | "POST";
  query: [string, string][];
  body: BodyKind;
  fields: [string, string][];
  intent: string | null;
};

function urlOf(attempt: Attempt): string {
  const pathname = attempt.route.pattern.replace(/\$(\w+)/g, (_, name: string) =>
    encodeURIComponent(attempt.ids[name]!),
  );
  const query = new URLSearchParams(attempt.query);
  if (attempt.method === "POST" && attempt.route.index) query.set("index", "");
  const search = query.toString();
  return `${origin}${pathname}${search ? `?${search}` : ""}`;
}

function bodyOf(attempt: Attempt): { body?: BodyInit; type?: string } {
  const fields = attempt.intent ? [["intent", attempt.intent] as [string, string], ...attempt.fields] : attempt.fields;
  switch (attempt.body) {
    case "none":
      return {};
    case "form":
      return { body: new URLSearchParams(fields).toString(), type: "application/x-www-form-urlencoded" };
    case "array":
      return {
        body: new URLSearchParams([
          ...fields,
          ...fields.map(([name]) => [name, "second"] as [string, string]),
        ]).toString(),
        type: "application/x-www-form-urlencoded",
      };
    case "multipart": {
      const form = new FormData();
      for (const [name, value] of fields) form.append(name, value);
      form.append("attachment", new Blob(["\u0000binary"]), "file.bin");
      return { body: form };
    }
    case "json":
      return { body: JSON.stringify(Object.fromEntries(fields)), type: "application/json" };
    case "text":
      return { body: fields.map(([name, value]) => `${name}=${value}`).join("\n"), type: "text/plain" };
    case "broken-multipart":
      return {
        body: `--x\r\nContent-Disposition: form-data; name="${fields[0]?.[0] ?? "a"}"\r\n\r\nunterminated`,
        type: "multipart/form-data; boundary=x",
      };
    case "oversized":
      return {
        body: new URLSearchParams([...fields, ["filler", "a".repeat(BODY_LIMITS.form + 1)]]).toString(),
        type: "application/x-www-form-urlencoded",
      };
  }
}

function attemptFor(routeList: RouteFile[], method: "GET" | "POST"): fc.Arbitrary<Attempt> {
  return fc
    .record({
      route: fc.constantFrom(...routeList),
      role: fc.constantFrom<Role>("anonymous", "customer", "staff"),
      body: fc.constantFrom(...(method === "GET" ? (["none"] as BodyKind[]) : bodyKinds)),
      seed: fc.integer(),
    })
    .chain(({ route, role, body }) => {
      const idFor = (name: string) =>
        knownIds[name] ? fc.oneof(fc.constant(knownIds[name]!), badId) : fc.oneof(fc.uuid().map(String), badId);
      const ids = fc.record(Object.fromEntries(route.params.map((name) => [name, idFor(name)])));
      const names = method === "GET" ? route.queryNames : route.fields;
      // Every named parameter well-formed (or left out) but one or two, which get bad values, so that
      // a request is refused for those alone and reaches as deep into the route as it can.
      const values = fc
        .record({
          bad: fc.uniqueArray(fc.nat({ max: Math.max(names.length - 1, 0) }), { minLength: 1, maxLength: 2 }),
          badValues: fc.array(
            fc.oneof(
              badText,
              badId,
              fc.constantFrom("\u0000", "x\u0000y").map((tail) => `Ada${tail}`),
            ),
            { minLength: 2, maxLength: 2 },
          ),
          missing: fc.array(
            fc.nat({ max: 9 }).map((roll) => roll === 0),
            { minLength: names.length, maxLength: names.length },
          ),
        })
        .map(({ bad, badValues, missing }) =>
          names.flatMap((name, index) => {
            const which = bad.indexOf(index);
            if (which >= 0) return [[name, badValues[which]!] as [string, string]];
            return missing[index] ? [] : [[name, goodValues[name] ?? "x"] as [string, string]];
          }),
        );
      const extra = fc.array(fc.tuple(fc.constantFrom("__proto__", "constructor", "x[]", "a.b.c"), badText), {
        maxLength: 2,
      });
      return fc.record({
        route: fc.constant(route),
        role: fc.constant(role),
        ids,
        method: fc.constant(method),
        query: method === "GET" ? fc.tuple(values, extra).map(([a, b]) => [...a, ...b]) : fc.constant([]),
        body: fc.constant(body),
        fields: method === "POST" ? fc.tuple(values, extra).map(([a, b]) => [...a, ...b]) : fc.constant([]),
        intent:
          method === "POST" && route.intents.length
            ? fc.oneof({ arbitrary: fc.constantFrom(...route.intents), weight: 4 }, { arbitrary: badText, weight: 1 })
            : fc.constant(null),
      });
    });
}

let clientCounter = 0;
async function send(attempt: Attempt): Promise<{ status: number; text: string }> {
  const { body, type } = bodyOf(attempt);
  clientCounter += 1;
  const response = await fetch(urlOf(attempt), {
    method: attempt.method,
    redirect: "manual",
    headers: {
      // Each attempt from its own address, so per-address rate limits do not hide the route behind a 429.
      "X-Forwarded-For": `10.9.${Math.floor(clientCounter / 250) % 250}.${clientCounter % 250}`,
      Origin: origin,
      ...(attempt.role === "anonymous" ? {} : { Cookie: cookies[attempt.role] }),
      ...(type ? { "Content-Type": type } : {}),
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

function describeAttempt(attempt: Attempt): string {
  return `${attempt.method} ${urlOf(attempt)} as ${attempt.role}, ${attempt.body} body ${JSON.stringify(attempt.fields)}${attempt.intent ? ` intent ${JSON.stringify(attempt.intent)}` : ""}`;
}

/** Runs the property with a printable seed (FC_SEED replays one). */
async function check(arbitrary: fc.Arbitrary<Attempt>, numRuns: number) {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (attempt) => {
      const before = await snapshot();
      const { status, text } = await send(attempt);
      const what = describeAttempt(attempt);
      expect(status, `${what} answered ${status}: ${text.slice(0, 300)}`).toBeLessThan(500);
      expect(text, `${what}: no stack trace or file path`).not.toMatch(/\n\s+at .+:\d+:\d+|\/work\/|node_modules/);
      // Callbacks take signed JSON of any type up to their own, larger limit; every other route takes forms only.
      const callback = attempt.route.file.startsWith("provisioning.callbacks");
      const refusedBody =
        attempt.body === "oversized" ? 413 : attempt.body === "json" || attempt.body === "text" ? 415 : null;
      if (refusedBody && callback) expect(status, what).not.toBe(refusedBody);
      else if (refusedBody) expect(status, what).toBe(refusedBody);
      if (status >= 400) expect(await snapshot(), `${what} was refused (${status}) but changed data`).toEqual(before);
    }),
    { numRuns, seed, verbose: 1, endOnFailure: true },
  );
}

describe("bad input", () => {
  it("finds the portal's routes in the route files", () => {
    const patterns = routes.map((route) => route.pattern);
    expect(patterns).toContain("/qualify/results/$leadId");
    expect(routes.find((route) => route.pattern === "/signup")?.fields).toEqual(
      expect.arrayContaining(["name", "email", "password", "company"]),
    );
    expect(routes.find((route) => route.pattern === "/staff/leads")?.queryNames).toEqual(
      expect.arrayContaining(["from", "to", "cursor", "verdict"]),
    );
  });

  it("answers every form route's bad submissions with a 4xx and saves nothing", async () => {
    await check(
      attemptFor(
        routes.filter((route) => route.action),
        "POST",
      ),
      Number(process.env.FC_RUNS ?? 1000),
    );
  }, 240_000);

  it("answers every page's bad query parameters and ids with a 4xx or the page, never a 5xx", async () => {
    await check(
      attemptFor(
        routes.filter((route) => route.queryNames.length || route.params.length),
        "GET",
      ),
      Number(process.env.FC_RUNS ?? 600),
    );
  }, 240_000);
});

describe("body limits (413, counted while streaming)", () => {
  it("refuses a declared 20 MB body before reading any of it", async () => {
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${origin}/login`, {
        method: "POST",
        headers: {
          Origin: origin,
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": String(20 * 1024 * 1024),
        },
      });
      req.on("response", (response) => resolve(response.statusCode ?? 0));
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("stops reading a chunked 20 MB body once it passes the form limit", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${origin}/login`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("at most 64 KB");
    // What the client managed to send before the answer: the limit plus what socket buffers hold.
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    console.info(`chunked 20 MB form: ${(sent / 1024).toFixed(0)} KB sent before the 413`);
  });

  it("lets callbacks send up to 1 MB and refuses more", async () => {
    const post = (size: number) =>
      fetch(`${origin}/provisioning/callbacks/${randomUUID()}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "x".repeat(size),
      });
    expect((await post(BODY_LIMITS.callback)).status).not.toBe(413);
    expect((await post(BODY_LIMITS.callback + 1)).status).toBe(413);
  });
});
