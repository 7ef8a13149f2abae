import { Form, isRouteErrorResponse } from "@remix-run/react";
import { ButtonLink } from "~/components/ui/button-link";
import { pageTitle } from "~/lib/seo";

/** Who is signed in, as the root loader gives it; null for a visitor. */
export type Viewer = { name: string; email: string; staff: boolean } | null;

type Page = { code: string; title: string; message: string; kind: "not-found" | "forbidden" | "refused" | "failed" };

/**
 * What went wrong, in words: a 404 and a 403 say what happened and what the person can do; other
 * refusals (400, 413, …) say why in their own sentence; a 5xx never shows its details, and
 * neither do Remix's own (internal) error responses, which carry developer text.
 */
export function describeError(error: unknown): Page {
  const response = isRouteErrorResponse(error) ? error : null;
  const ownSentence =
    response && !(response as { internal?: boolean }).internal && typeof response.data === "string"
      ? response.data
      : null;
  if (response?.status === 404) {
    return {
      code: "404",
      kind: "not-found",
      title: "Page not found",
      message:
        "We could not find the page you asked for. It may have moved, the address may be mistyped, or it belongs to an organisation you are not a member of.",
    };
  }
  if (response?.status === 403) {
    return {
      code: "403",
      kind: "forbidden",
      title: "You can’t open this page",
      message: ownSentence ?? "Your sign-in does not give you access to this page.",
    };
  }
  if (response && response.status >= 400 && response.status < 500 && ownSentence) {
    return { code: "Error", kind: "refused", title: "We could not accept that", message: ownSentence };
  }
  return {
    code: "Error",
    kind: "failed",
    title: "Something went wrong",
    message: "An unexpected error stopped this page from loading. Please try again in a moment.",
  };
}

/** The page the root error boundary shows: what happened, who is signed in, and the ways on. */
export function ErrorPage({ error, viewer }: { error: unknown; viewer: Viewer }) {
  const page = describeError(error);
  const home = viewer ? (viewer.staff ? "/staff" : "/account") : "/";
  const homeLabel = viewer ? (viewer.staff ? "Go to the staff console" : "Go to your account") : "Go to the home page";
  return (
    <section className="mx-auto max-w-2xl px-4 py-24 text-center" data-testid="error-page" data-kind={page.kind}>
      <title>{pageTitle(page.title)}</title>
      <meta name="robots" content="noindex" />
      <p className="text-sm font-semibold text-brand-700">{page.code}</p>
      <h1 className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">{page.title}</h1>
      <p className="mt-4 text-slate-600">{page.message}</p>
      {viewer && (page.kind === "forbidden" || page.kind === "not-found") ? (
        <p className="mt-4 text-slate-600" data-testid="signed-in-as">
          You are signed in as <strong className="break-all text-slate-900">{viewer.name}</strong> (
          <span className="break-all">{viewer.email}</span>).
          {page.kind === "forbidden" && !viewer.staff
            ? " If you need this, ask an owner or admin of your organisation to change your role, or sign in as someone who has it."
            : ""}
        </p>
      ) : null}
      <div className="mt-8 flex flex-wrap justify-center gap-3">
        <ButtonLink to={home}>{homeLabel}</ButtonLink>
        {viewer && page.kind === "forbidden" ? (
          <Form method="post" action="/logout">
            <button
              type="submit"
              className="inline-flex items-center justify-center rounded-md bg-white px-4 py-2.5 text-sm font-semibold text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
            >
              Sign in as someone else
            </button>
          </Form>
        ) : viewer?.staff ? null : (
          <ButtonLink to="/pricing" variant="secondary">
            See pricing
          </ButtonLink>
        )}
      </div>
    </section>
  );
}
