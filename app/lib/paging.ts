/** The link to the next page of a keyset-paged list: the same filters with the next cursor. */
export function nextPageHref(url: URL, cursor: string | null): string | null {
  if (!cursor) return null;
  const params = new URLSearchParams(url.searchParams);
  params.set("cursor", cursor);
  return `?${params}`;
}
