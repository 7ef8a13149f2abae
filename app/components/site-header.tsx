import { Link, NavLink } from "@remix-run/react";
import { SITE_NAME } from "~/lib/site";

export function SiteHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-4">
        <Link to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 text-brand-600" fill="currentColor">
            <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.5 3.6L12 11.5 5.5 7.9 12 4.3Z" />
          </svg>
          {SITE_NAME}
        </Link>
        <nav aria-label="Main">
          <ul className="flex items-center gap-4 text-sm font-medium sm:gap-6">
            <li>
              <NavLink
                to="/pricing"
                className={({ isActive }) => (isActive ? "text-brand-700" : "text-slate-700 hover:text-slate-900")}
              >
                Pricing
              </NavLink>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
