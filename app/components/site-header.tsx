import { Form, Link, NavLink } from "@remix-run/react";
import { SITE_NAME } from "~/lib/site";

type Props = { user: { name: string; staff: boolean } | null };

const navLink = ({ isActive }: { isActive: boolean }) =>
  isActive ? "text-brand-700" : "text-slate-700 hover:text-slate-900";

export function SiteHeader({ user }: Props) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-4">
        <Link to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 text-brand-600" fill="currentColor">
            <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.5 3.6L12 11.5 5.5 7.9 12 4.3Z" />
          </svg>
          {SITE_NAME}
        </Link>
        <nav aria-label="Main">
          <ul className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm font-medium sm:gap-x-6">
            <li>
              <NavLink to="/pricing" className={navLink}>
                Pricing
              </NavLink>
            </li>
            <li>
              <NavLink to="/qualify" className={navLink}>
                Is it right for you?
              </NavLink>
            </li>
            {user ? (
              <>
                {user.staff ? (
                  <li>
                    <NavLink to="/staff" className={navLink}>
                      Staff
                    </NavLink>
                  </li>
                ) : null}
                <li>
                  <NavLink to="/account" className={navLink}>
                    Account
                  </NavLink>
                </li>
                <li>
                  <Form method="post" action="/logout">
                    <button type="submit" className="text-slate-700 hover:text-slate-900">
                      Log out
                    </button>
                  </Form>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/login" className={navLink}>
                    Log in
                  </NavLink>
                </li>
                <li>
                  <Link to="/signup" className="rounded-md bg-brand-600 px-3 py-1.5 text-white hover:bg-brand-700">
                    Sign up
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}
