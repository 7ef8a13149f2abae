import { Link } from "@remix-run/react";

/**
 * The links under a keyset-paged list (app/lib/paging.ts): back to its first page once past it, and
 * on to the next page (`next` names what comes: "More accounts", "Older leads").
 */
export function PageLinks({
  firstPage,
  nextPage,
  next,
}: {
  firstPage: string | null;
  nextPage: string | null;
  next: string;
}) {
  if (!firstPage && !nextPage) return null;
  return (
    <nav aria-label="Pages" className="flex flex-wrap gap-x-6 gap-y-2 text-sm font-medium">
      {firstPage ? (
        <Link to={firstPage} className="text-brand-700 underline">
          Back to the first page
        </Link>
      ) : null}
      {nextPage ? (
        <Link to={nextPage} className="text-brand-700 underline">
          {next}
        </Link>
      ) : null}
    </nav>
  );
}
