/** The link to the next page of a keyset-paged list: the same filters with the next cursor. */
export function nextPageHref(url: URL, cursor: string | null): string | null {
  if (!cursor) return null;
  const params = new URLSearchParams(url.searchParams);
  params.set("cursor", cursor);
  return `?${params}`;
}

/** The link back to a keyset-paged list's first page (the same filters, no cursor), or null on the first page. */
export function firstPageHref(url: URL): string | null {
  if (!url.searchParams.has("cursor")) return null;
  const params = new URLSearchParams(url.searchParams);
  params.delete("cursor");
  return `?${params}`;
}
