import { createHash, randomBytes } from "node:crypto";
import { createCookie, redirect, type AppLoadContext } from "@remix-run/node";
import { and, desc, eq, gt, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { sessions, users, type StaffRole } from "#db/schema";
import { CONFIRM_EMAIL_PATH } from "./confirm-email-path";

export const SESSION_COOKIE = "__session";
const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
// Sliding expiry without a write on every request.
const TOUCH_AFTER_MS = 5 * 60 * 1000;

export type SessionUser = {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  emailVerified: boolean;
  staffRole: StaffRole | null;
  organisationId: string | null;
};

function sessionCookie(context: AppLoadContext) {
  return createCookie(SESSION_COOKIE, {
    secrets: [context.config.sessionSecret],
    httpOnly: true,
    sameSite: "lax",
    secure: context.config.appUrl.startsWith("https:"),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

function sessionIdOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Starts a session row and returns the Set-Cookie header that refers to it. */
export async function createSession(
  tx: DbOrTx,
  context: AppLoadContext,
  request: Request,
  userId: string,
  organisationId: string | null,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await tx.insert(sessions).values({
    id: sessionIdOf(token),
    userId,
    organisationId,
    userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
    ipAddress: context.clientIp,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
  });
  return sessionCookie(context).serialize(token);
}

const cache = new WeakMap<Request, Promise<SessionUser | null>>();

/**
 * The signed-in person of this request, looked up once per request. Remix hands each loader of a
 * page its own `Request`, so a GET or HEAD (no action runs: nothing changes the session between
 * its loaders) shares one look-up through the load context's `requestScope`, made per HTTP request
 * by server/web.ts; otherwise once per `Request`, so loaders after an action see what it did.
 */
export function getSessionUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const scope = request.method === "GET" || request.method === "HEAD" ? context.requestScope : undefined;
  if (scope) return (scope.sessionUser ??= lookUpSession(request, context));
  let found = cache.get(request);
  if (!found) {
    found = lookUpSession(request, context);
    cache.set(request, found);
  }
  return found;
}

async function lookUpSession(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const token: unknown = await sessionCookie(context).parse(request.headers.get("cookie"));
  if (typeof token !== "string" || !token) return null;
  const id = sessionIdOf(token);
  const [row] = await context.db
    .select({
      sessionId: sessions.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      emailVerifiedAt: users.emailVerifiedAt,
      staffRole: users.staffRole,
      organisationId: sessions.organisationId,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, sql`now()`)));
  if (!row) return null;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await context.db
      .update(sessions)
      .set({ lastSeenAt: new Date(), expiresAt: new Date(Date.now() + SESSION_TTL_MS) })
      .where(eq(sessions.id, id));
  }
  return {
    sessionId: row.sessionId,
    userId: row.userId,
    email: row.email,
    name: row.name,
    emailVerified: row.emailVerifiedAt !== null,
    staffRole: row.staffRole,
    organisationId: row.organisationId,
  };
}

const MAX_REDIRECT_QUERY = 2_000;

/** The signed-in person, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await getSessionUser(request, context);
  if (!user) {
    const url = new URL(request.url);
    // A query too long to carry back through a Location header (clients cap headers at 16 KB) is dropped.
    const back = url.search.length > MAX_REDIRECT_QUERY ? url.pathname : url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return user;
}

/**
 * The signed-in person, for anything that creates, invites, orders, starts a trial or changes an
 * organisation (issue 13, case 5). Until the address is confirmed an account may only confirm it,
 * have the link sent again, change the address, accept an invitation sent to it (which confirms it),
 * log out and read its pages; anything else is sent to the confirm-your-email page, so the rule
 * lives here and not in each route. Signed-out people go to the login page, as with `requireUser`.
 */
export async function requireVerifiedUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!user.emailVerified) throw redirect(CONFIRM_EMAIL_PATH);
  return user;
}

/**
 * Staff pages: anyone else gets a 404, signed in or not (no login redirect that names the page),
 * so the console's existence is not advertised. With `role` "admin", staff without it get the
 * same 404 (ADR 15: which pages and actions are the admins').
 */
export async function requireStaff(
  request: Request,
  context: AppLoadContext,
  role: StaffRole = "staff",
): Promise<SessionUser> {
  const user = await getSessionUser(request, context);
  if (!user?.staffRole || (role === "admin" && user.staffRole !== "admin")) {
    throw new Response("Not found", { status: 404 });
  }
  return user;
}

/** Ends this session; the returned header clears the cookie. */
export async function destroySession(request: Request, context: AppLoadContext): Promise<string> {
  const user = await getSessionUser(request, context);
  if (user) await context.db.delete(sessions).where(eq(sessions.id, user.sessionId));
  return sessionCookie(context).serialize("", { maxAge: 0 });
}

export async function listSessions(db: DbOrTx, userId: string) {
  return db
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sessions.lastSeenAt));
}

/** Signs a person out everywhere but here (or everywhere, with no session to keep). */
export async function endOtherSessions(db: DbOrTx, userId: string, keepSessionId: string | null): Promise<number> {
  const ended = await db
    .delete(sessions)
    .where(
      keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId),
    )
    .returning({ id: sessions.id });
  return ended.length;
}

export async function endSession(db: DbOrTx, userId: string, sessionId: string): Promise<boolean> {
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId)))
    .returning({ id: sessions.id });
  return ended.length > 0;
}

export async function setSessionOrganisation(db: DbOrTx, sessionId: string, organisationId: string): Promise<void> {
  await db.update(sessions).set({ organisationId }).where(eq(sessions.id, sessionId));
}
