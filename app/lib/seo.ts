import type { MetaDescriptor } from "@remix-run/node";

type PageMeta = {
  title: string;
  description: string;
  /** Absolute canonical URL of the page. */
  url: string;
  siteName: string;
  jsonLd?: Record<string, unknown>;
};

/** Title, description, canonical link, Open Graph and optional JSON-LD for one page. */
export function pageMeta({ title, description, url, siteName, jsonLd }: PageMeta): MetaDescriptor[] {
  return [
    { title },
    { name: "description", content: description },
    { tagName: "link", rel: "canonical", href: url },
    { property: "og:type", content: "website" },
    { property: "og:site_name", content: siteName },
    { property: "og:title", content: title },
    { property: "og:description", content: description },
    { property: "og:url", content: url },
    { name: "twitter:card", content: "summary" },
    ...(jsonLd ? [{ "script:ld+json": jsonLd }] : []),
  ];
}
