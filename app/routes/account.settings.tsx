import { getFormProps, useForm, type Submission } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { noticeText } from "~/lib/notices";
import { consumeRateLimit, retryAfterText } from "~/lib/rate-limit.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { changePassword, requestEmailChange } from "~/modules/accounts/accounts.server";
import { changeEmailSchema, changePasswordSchema } from "~/modules/accounts/schemas";
import {
  endOtherSessions,
  endSession,
  listSessions,
  requireUser,
  requireVerifiedUser,
} from "~/modules/accounts/sessions.server";
import { CONFIRM_EMAIL_PATH } from "~/modules/accounts/confirm-email-path";
import { listMemberships } from "~/modules/accounts/organisations.server";
import { ingestKeyCards } from "~/modules/usage/key-rotation.server";
import { readForm, tooManyRequests } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/retry-after";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Settings"),
    description:
      "Change your password or your email address, and sign out devices where you no longer want to be signed in.",
    path: "/account/settings",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [sessions, memberships] = await Promise.all([
    listSessions(context.db, user.userId),
    listMemberships(context.db, user.userId),
  ]);
  // Keys are the owners' and admins' to replace (the key page re-checks); members see no section.
  const current = memberships.find((m) => m.organisationId === user.organisationId) ?? memberships[0];
  const manager = current?.role === "owner" || current?.role === "admin";
  return {
    ingestKeys: manager ? await ingestKeyCards(context.db, current.organisationId) : [],
    email: user.email,
    emailVerified: user.emailVerified,
    sessions: sessions.map((s) => ({ ...s, current: s.id === user.sessionId })),
    notice: noticeText(new URL(request.url).searchParams.get("notice")),
  };
}

const settingsSchema = z.discriminatedUnion("intent", [
  changePasswordSchema.extend({ intent: z.literal("change-password") }),
  changeEmailSchema.extend({ intent: z.literal("change-email") }),
  z.object({ intent: z.literal("end-session"), sessionId: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ intent: z.literal("end-other-sessions") }),
]);

const secretFields = ["currentPassword", "newPassword"];

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: settingsSchema });
  const intent = String(formData.get("intent"));
  if (submission.status !== "success")
    return data({ intent, result: submission.reply({ hideFields: secretFields }), done: false }, { status: 400 });
  const value = submission.value;
  // An unconfirmed account may still correct the address it typed; everything else waits for the confirmation.
  if (value.intent !== "change-email") await requireVerifiedUser(request, context);
  switch (value.intent) {
    case "change-password": {
      const result = await changePassword(
        context,
        user.userId,
        user.sessionId,
        value.currentPassword,
        value.newPassword,
      );
      if (!result.ok) return refused(intent, submission, result);
      return { intent, result: submission.reply({ resetForm: true }), done: true };
    }
    case "change-email": {
      // Each request emails the new address: 5 an hour per account, paid before the password is checked.
      const limit = await consumeRateLimit(context.db, "confirmationEmail", user.userId);
      if (!limit.allowed) {
        const wait = retryAfterText(limit.retryAfterSeconds);
        const message = `We sent several links already. Try again in ${wait}.`;
        return refused(intent, submission, { field: "newEmail", message, retryAfterSeconds: limit.retryAfterSeconds });
      }
      const result = await requestEmailChange(context, user.userId, value.newEmail, value.currentPassword);
      if (!result.ok) return refused(intent, submission, result);
      throw redirect("/check-email?reason=email-change");
    }
    case "end-session":
      await endSession(context.db, user.userId, value.sessionId);
      break;
    case "end-other-sessions":
      await endOtherSessions(context.db, user.userId, user.sessionId);
      break;
  }
  throw redirect("/account/settings");
}

export const headers = retryAfterHeaders;

/** A refused change: 400 with the field's error, or 429 with Retry-After once the password checks are used up. */
function refused(
  intent: string,
  submission: Submission<unknown>,
  error: { field: string; message: string; retryAfterSeconds?: number },
) {
  const result = submission.reply({ fieldErrors: { [error.field]: [error.message] }, hideFields: secretFields });
  if (error.retryAfterSeconds === undefined) return data({ intent, result, done: false }, { status: 400 });
  return tooManyRequests({ intent, result, done: false }, error.retryAfterSeconds);
}

export default function SettingsPage() {
  const { email, emailVerified, sessions, notice, ingestKeys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const intent = actionData?.intent;
  const [passwordForm, passwordFields] = useForm({
    id: "change-password",
    lastResult: intent === "change-password" ? actionData?.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: settingsSchema }),
    shouldValidate: "onBlur",
  });
  const [emailForm, emailFields] = useForm({
    id: "change-email",
    lastResult: intent === "change-email" ? actionData?.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: settingsSchema }),
    shouldValidate: "onBlur",
  });
  const passwordChanged = intent === "change-password" && actionData?.done;
  return (
    <div className="space-y-12">
      <h1 className="text-2xl font-bold tracking-tight">Settings</h1>
      {notice ? <Notice>{notice}</Notice> : null}

      {emailVerified ? null : <ConfirmFirst />}

      <section aria-labelledby="password-heading" className="max-w-md" hidden={!emailVerified}>
        <h2 id="password-heading" className="text-lg font-semibold">
          Password
        </h2>
        <Form method="post" {...getFormProps(passwordForm)} className="mt-4 space-y-4">
          {passwordChanged ? <Notice>Your password was changed and your other sessions were signed out.</Notice> : null}
          <FormErrors id={passwordForm.errorId} errors={passwordForm.errors} />
          <input type="hidden" name="intent" value="change-password" />
          <Field
            meta={passwordFields.currentPassword}
            label="Current password"
            type="password"
            autoComplete="current-password"
          />
          <Field
            meta={passwordFields.newPassword}
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters."
          />
          <SubmitButton>Change password</SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="email-heading" className="max-w-md">
        <h2 id="email-heading" className="text-lg font-semibold">
          Email address
        </h2>
        <p className="mt-1 text-sm text-slate-700">Now: {email}. We send a link to the new address to confirm it.</p>
        <Form method="post" {...getFormProps(emailForm)} className="mt-4 space-y-4">
          <FormErrors id={emailForm.errorId} errors={emailForm.errors} />
          <input type="hidden" name="intent" value="change-email" />
          <Field meta={emailFields.newEmail} label="New email address" type="email" autoComplete="email" />
          <Field
            meta={emailFields.currentPassword}
            label="Current password"
            type="password"
            autoComplete="current-password"
          />
          <SubmitButton>Change email</SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Where you are signed in
        </h2>
        <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
          {sessions.map((session) => (
            <li
              key={session.id}
              className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
              data-testid="session"
            >
              <div className="text-sm">
                <p className="font-medium">
                  {session.userAgent ?? "Unknown browser"}
                  {session.current ? (
                    <span className="ml-2 text-xs font-semibold text-brand-700">This browser</span>
                  ) : null}
                </p>
                <p className="text-slate-600">
                  {session.ipAddress ?? "Unknown address"} · last active {new Date(session.lastSeenAt).toUTCString()}
                </p>
              </div>
              {session.current || !emailVerified ? null : (
                <Form method="post">
                  <input type="hidden" name="intent" value="end-session" />
                  <input type="hidden" name="sessionId" value={session.id} />
                  <SubmitButton variant="secondary">Sign out</SubmitButton>
                </Form>
              )}
            </li>
          ))}
        </ul>
        {sessions.length > 1 && emailVerified ? (
          <Form method="post" className="mt-4">
            <input type="hidden" name="intent" value="end-other-sessions" />
            <SubmitButton variant="danger">Sign out everywhere else</SubmitButton>
          </Form>
        ) : null}
      </section>

      {ingestKeys.length ? (
        <section aria-labelledby="ingest-keys-heading" className="max-w-xl">
          <h2 id="ingest-keys-heading" className="text-lg font-semibold">
            Usage reporting keys
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            Each service reports how your team uses it with its own key. Replace a key if it may have been seen by
            someone who should not have it.
          </p>
          <ul className="mt-4 divide-y divide-slate-200 rounded-md ring-1 ring-slate-200">
            {ingestKeys.map((card) => (
              <li key={card.instanceId} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3 text-sm">
                <span>
                  {card.planName} ·{" "}
                  {card.key ? <code className="rounded bg-slate-100 px-1">{card.key.prefix}…</code> : "no key yet"}
                </span>
                {card.key ? (
                  <Link to={`/account/ingest-key/${card.instanceId}`} className="font-medium text-brand-700 underline">
                    Rotate the key
                  </Link>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** Until the address is confirmed, only the address itself can be changed here. */
function ConfirmFirst() {
  return (
    <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      Confirm your email address to change your password or sign out other devices. Typed the wrong address? Change it
      below.{" "}
      <Link to={CONFIRM_EMAIL_PATH} className="font-medium underline">
        Get a new link
      </Link>
    </p>
  );
}
