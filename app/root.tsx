import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./components/nonce";
import { SiteFooter } from "./components/site-footer";
import { SiteHeader } from "./components/site-header";
import { ButtonLink } from "./components/ui/button-link";
import { pageTitle } from "./lib/seo";
import styles from "./tailwind.css?url";
import { getSessionUser } from "./modules/accounts/sessions.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context);
  // appUrl: the origin of canonical URLs (see pageMeta), the same for every visitor so cached pages can share it.
  return { user: user ? { name: user.name, staff: user.staffRole !== null } : null, appUrl: context.config.appUrl };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Undefined while an error page renders without the root's data.
  const user = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-full flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <SiteHeader user={user} />
        <main id="main" className="w-full min-w-0 flex-1">
          {children}
        </main>
        <SiteFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  // A refused request (400, 413, …) says why in its own sentence; a 5xx never shows its details.
  // Remix's own (internal) error responses carry developer text, never shown.
  const refusal =
    isRouteErrorResponse(error) &&
    error.status >= 400 &&
    error.status < 500 &&
    !notFound &&
    !(error as { internal?: boolean }).internal &&
    typeof error.data === "string"
      ? error.data
      : null;
  const title = notFound ? "Page not found" : refusal ? "We could not accept that" : "Something went wrong";
  const message = notFound
    ? "We could not find the page you asked for. It may have moved, or the address may be mistyped."
    : (refusal ?? "An unexpected error stopped this page from loading. Please try again in a moment.");
  return (
    <section className="mx-auto max-w-2xl px-4 py-24 text-center">
      <title>{pageTitle(title)}</title>
      <meta name="robots" content="noindex" />
      <p className="text-sm font-semibold text-brand-700">{notFound ? "404" : "Error"}</p>
      <h1 className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">{title}</h1>
      <p className="mt-4 text-slate-600">{message}</p>
      <div className="mt-8 flex justify-center gap-3">
        <ButtonLink to="/">Go to the home page</ButtonLink>
        <ButtonLink to="/pricing" variant="secondary">
          See pricing
        </ButtonLink>
      </div>
    </section>
  );
}
