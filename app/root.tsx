import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./components/nonce";
import { SiteFooter } from "./components/site-footer";
import { SiteHeader } from "./components/site-header";
import { ErrorPage } from "./components/error-page";
import styles from "./tailwind.css?url";
import { getSessionUser } from "./modules/accounts/sessions.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context);
  // appUrl: the origin of canonical URLs (see pageMeta), the same for every visitor so cached pages can share it.
  // The email lets error pages say who is signed in (the header already shows the name).
  return {
    user: user ? { name: user.name, email: user.email, staff: user.staffRole !== null } : null,
    appUrl: context.config.appUrl,
  };
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
  const viewer = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  return <ErrorPage error={error} viewer={viewer} />;
}
