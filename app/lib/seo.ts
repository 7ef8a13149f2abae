import type { MetaDescriptor } from "@remix-run/node";
import type { MetaArgs } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";
import { SITE_NAME } from "./site";

type RootData = Awaited<ReturnType<typeof rootLoader>>;

type PageMeta = {
  /** The whole document title; most pages build it with pageTitle(). */
  title: string;
  /** A sentence or two for search results, at most 160 characters (see summarise()). */
  description: string;
  /** The page's own path, never with a query string: variants of a page share one canonical URL. */
  path: string;
  /** Keeps the page out of search results (sign-in flows, emailed links, personal and signed-in pages). */
  noindex?: boolean;
  jsonLd?: Record<string, unknown>;
};

/** A page's title in the site's form, "Log in | Northwind Projects". */
export function pageTitle(page: string): string {
  return `${page} | ${SITE_NAME}`;
}

/**
 * Title, description, canonical link, robots rule, Open Graph and optional JSON-LD for one page;
 * every route's `meta` builds its tags here. The canonical origin is APP_URL from the root loader,
 * never the request's Host, so cached pages are the same whatever host name they were asked for.
 */
export function pageMeta(matches: MetaArgs["matches"], page: PageMeta): MetaDescriptor[] {
  const url = `${publicOrigin(matches)}${page.path}`;
  return [
    { title: page.title },
    { name: "description", content: page.description },
    { tagName: "link", rel: "canonical", href: url },
    ...(page.noindex ? [{ name: "robots", content: "noindex" }] : []),
    { property: "og:type", content: "website" },
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:title", content: page.title },
    { property: "og:description", content: page.description },
    { property: "og:url", content: url },
    { name: "twitter:card", content: "summary" },
    ...(page.jsonLd ? [{ "script:ld+json": page.jsonLd }] : []),
  ];
}

/** APP_URL, as the root loader passes it to every page. */
export function publicOrigin(matches: MetaArgs["matches"]): string {
  const root = matches.find((match) => match.id === "root")?.data as Partial<RootData> | undefined;
  // A route's meta runs only below a root that loaded: a root loader error renders no child route.
  if (!root?.appUrl) throw new Error("The root loader's data has no appUrl");
  return root.appUrl;
}

/**
 * Catalog text (written for pages, not search results) cut to the whole sentences that fit in
 * `max` characters; a first sentence too long on its own is cut after a word and ends with "…".
 */
export function summarise(text: string, max = 160): string {
  let summary = "";
  for (const sentence of text.trim().split(/(?<=[.!?])\s+/)) {
    const next = summary ? `${summary} ${sentence}` : sentence;
    if (next.length > max) break;
    summary = next;
  }
  return summary || `${text.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
}
