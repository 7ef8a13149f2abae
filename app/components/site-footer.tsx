import { Link } from "@remix-run/react";
import { SITE_NAME } from "~/lib/site";

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-slate-50">
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-8 text-sm text-slate-600 sm:flex-row sm:justify-between">
        <p>© {SITE_NAME}. Prices exclude tax.</p>
        <nav aria-label="Footer">
          <ul className="flex gap-4">
            <li>
              <Link to="/pricing" className="hover:text-slate-900">
                Pricing
              </Link>
            </li>
            <li>
              <a href="/sitemap.xml" className="hover:text-slate-900">
                Sitemap
              </a>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
