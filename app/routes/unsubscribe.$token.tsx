import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthCard } from "~/components/auth-card";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm, tooManyRequests } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import {
  chooseWithLink,
  INVALID_UNSUBSCRIBE_LINK,
  oneClickSchema,
  readUnsubscribeLink,
} from "~/modules/email/unsubscribes.server";

// An email's unsubscribe link (issue 15): the signed token is the authority, so no login. Mail
// providers POST `List-Unsubscribe=One-Click` here without cookies from another origin (RFC 8058);
// server/web.ts exempts this path from the same-origin check and answers such a POST that names
// another origin itself (server/one-click-unsubscribe.ts): Remix refuses cross-origin actions.

export const meta: MetaFunction = ({ matches, params }) =>
  pageMeta(matches, {
    title: pageTitle("Email preferences"),
    description: "Stop or restart the getting-started tips we email during a trial.",
    path: `/unsubscribe/${params.token}`,
    noindex: true,
  });

export const headers = retryAfterHeaders;

/** The page's own buttons, or a mail provider's one-click POST (RFC 8058 §3.1). */
const choiceSchema = z.union([
  oneClickSchema.transform(() => "unsubscribe" as const),
  z.object({ intent: z.enum(["unsubscribe", "resubscribe"]) }).transform((form) => form.intent),
]);

export async function loader({ context, params }: LoaderFunctionArgs) {
  const link = await readUnsubscribeLink(context.db, context.config.sessionSecret, params.token ?? "");
  if (!link) return data({ link: null, invalid: INVALID_UNSUBSCRIBE_LINK }, { status: 400 });
  return {
    link: { name: link.name, email: link.email, list: link.listDescription, subscribed: link.subscribed },
    invalid: null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const choice = choiceSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!choice.success)
    return data(
      { error: "We could not tell what you asked for. Use the buttons on this page.", done: null },
      { status: 400 },
    );
  const result = await chooseWithLink(
    context.db,
    context.config.sessionSecret,
    params.token ?? "",
    choice.data === "resubscribe",
  );
  if (result.ok) return { error: null, done: choice.data };
  if (result.limited) return tooManyRequests({ error: result.message, done: null }, result.retryAfterSeconds);
  return data({ error: result.message, done: null }, { status: 400 });
}

export default function UnsubscribePage() {
  const { link, invalid } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (!link) {
    return (
      <AuthCard title="This link does not work">
        <p className="text-slate-700">{invalid}</p>
      </AuthCard>
    );
  }
  const who = `${link.name} (${link.email})`;
  return (
    <AuthCard
      title={link.subscribed ? "Stop getting-started tips?" : "You are unsubscribed"}
      intro={
        link.subscribed
          ? `${who} receives ${link.list}: a few emails during a trial that help your team get going.`
          : `We send no more ${link.list} to ${who}. Emails about your account, orders and payments still arrive.`
      }
    >
      <Form method="post" className="space-y-4">
        <FormErrors id="unsubscribe-errors" errors={result?.error ? [result.error] : undefined} />
        <input type="hidden" name="intent" value={link.subscribed ? "unsubscribe" : "resubscribe"} />
        {result?.done === "resubscribe" && link.subscribed ? (
          <Notice>You are subscribed again: the tips arrive as before.</Notice>
        ) : null}
        {link.subscribed ? (
          <SubmitButton>Unsubscribe</SubmitButton>
        ) : (
          <>
            <p className="text-sm text-slate-700">Changed your mind?</p>
            <SubmitButton variant="secondary">Subscribe again</SubmitButton>
          </>
        )}
      </Form>
    </AuthCard>
  );
}
