import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { users } from "../../db/schema";
import { hashPassword } from "../../app/modules/accounts/passwords.server";
import type * as Passwords from "../../app/modules/accounts/passwords.server";
import { action as loginAction } from "../../app/routes/login";
import { action as settingsAction } from "../../app/routes/account.settings";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, formPost, routeContext, signedIn } from "../support/routes";
import { startWithClient, type EmulatorUnderTest } from "../support/stripe-emulator";

// The rule (issue 13, case 4): no more password hash checks than the budget, however many
// requests arrive at once: 5 per address and 50 per network in 15 minutes, paid before checking.
// Every check is counted by wrapping the real argon2 verification, which still runs.
const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../app/modules/accounts/passwords.server", async (importOriginal) => {
  const original = await importOriginal<typeof Passwords>();
  return {
    ...original,
    verifyPassword: async (hash: string, password: string) => {
      verifications.count += 1;
      return original.verifyPassword(hash, password);
    },
  };
});

const PASSWORD = "the right password";
let database: TestDatabase;
let stripe: EmulatorUnderTest;
let userId: string;
let addressCount = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startWithClient();
  const [user] = await database.db
    .insert(users)
    .values({
      email: "grace@navy.test",
      name: "Grace",
      passwordHash: await hashPassword(PASSWORD),
      emailVerifiedAt: new Date(),
    })
    .returning();
  userId = user!.id;
});
afterAll(async () => {
  await stripe.emulator.stop();
  await dropTestDatabase(database);
});

/** A client network of its own, so one test's spending is not another's. */
function network(): string {
  addressCount += 1;
  return `10.0.${Math.floor(addressCount / 250)}.${addressCount % 250}`;
}

function logIn(clientIp: string, email: string, password: string) {
  return callRoute(loginAction, formPost("/login", "", { email, password }), {
    ...routeContext(database, stripe.stripe),
    clientIp,
  });
}

async function counted<T>(run: () => Promise<T>): Promise<{ result: T; checks: number }> {
  const before = verifications.count;
  const result = await run();
  return { result, checks: verifications.count - before };
}

describe("login limits", () => {
  it("checks at most 5 passwords for one address when 20 wrong ones arrive at once", async () => {
    const ip = network();
    const { result, checks } = await counted(() =>
      Promise.all(Array.from({ length: 20 }, (_, i) => logIn(ip, "grace@navy.test", `wrong guess ${i}`))),
    );
    expect(checks).toBe(5);
    expect(result.filter((a) => a.status === 400)).toHaveLength(5);
    expect(result.filter((a) => a.status === 429)).toHaveLength(15);

    // The right password is refused too now, and the answer says when to come back.
    const late = await counted(() => logIn(network(), "Grace@Navy.test", PASSWORD));
    expect(late.checks).toBe(0);
    expect(late.result.status).toBe(429);
    expect(Number(late.result.headers.get("Retry-After"))).toBeGreaterThan(800);
    expect(JSON.stringify(late.result.body)).toMatch(/Try again in 15 minutes, or reset your password/);
  });

  it("checks at most 50 passwords from one network, however many addresses it tries at once", async () => {
    const ip = network();
    const { result, checks } = await counted(() =>
      Promise.all(Array.from({ length: 70 }, (_, i) => logIn(ip, `someone${i}@guess.test`, "password123456"))),
    );
    expect(checks).toBe(50);
    expect(result.filter((a) => a.status === 429)).toHaveLength(20);
    const late = await logIn(ip, "nobody-yet@guess.test", "password123456");
    expect(late.status).toBe(429);
    expect(Number(late.headers.get("Retry-After"))).toBeGreaterThan(800);
  });

  it("a refused network spends nothing from the address's budget", async () => {
    const ip = network();
    await Promise.all(Array.from({ length: 50 }, (_, i) => logIn(ip, `filler${i}@guess.test`, "password123456")));
    const { checks } = await counted(() =>
      Promise.all(Array.from({ length: 10 }, () => logIn(ip, "victim@navy.test", "password123456"))),
    );
    expect(checks).toBe(0);
    const elsewhere = await counted(() =>
      Promise.all(Array.from({ length: 6 }, () => logIn(network(), "victim@navy.test", "password123456"))),
    );
    expect(elsewhere.checks).toBe(5);
  });

  it("a successful login gives back only its own attempt: someone guessing meanwhile gets no fresh budget", async () => {
    const [user] = await database.db
      .insert(users)
      .values({ email: "ada@engines.test", name: "Ada", passwordHash: await hashPassword(PASSWORD) })
      .returning();
    expect(user).toBeDefined();
    const attacker = network();
    await Promise.all(Array.from({ length: 4 }, (_, i) => logIn(attacker, "ada@engines.test", `guess ${i}`)));
    const owner = await logIn(network(), "ada@engines.test", PASSWORD);
    expect(owner.status).toBe(302);
    expect(owner.headers.get("Set-Cookie")).toMatch(/__session=/);
    const { result, checks } = await counted(() =>
      Promise.all(Array.from({ length: 10 }, (_, i) => logIn(attacker, "ada@engines.test", `more ${i}`))),
    );
    expect(checks).toBe(1);
    expect(result.filter((a) => a.status === 429)).toHaveLength(9);
  });

  it("checks at most 5 current passwords per account in the settings, however many arrive at once", async () => {
    const context = routeContext(database, stripe.stripe);
    const cookie = await signedIn(context, userId, null);
    const { result, checks } = await counted(() =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          callRoute(
            settingsAction,
            formPost("/account/settings", cookie, {
              intent: i % 2 ? "change-password" : "change-email",
              currentPassword: `wrong guess ${i}`,
              newPassword: "a brand new password",
              newEmail: "grace@elsewhere.test",
            }),
            context,
          ),
        ),
      ),
    );
    expect(checks).toBe(5);
    const refused = result.filter((a) => a.status === 429);
    expect(refused).toHaveLength(7);
    expect(Number(refused[0]!.headers.get("Retry-After"))).toBeGreaterThan(800);
    expect(JSON.stringify(refused[0]!.body)).toMatch(/Too many wrong passwords\. Try again in 15 minutes/);
  });
});
