/**
 * Routes opt in to the web server's in-memory page cache with this response header (which the
 * server strips). Its value names the query parameters that change the page; any others, such as
 * UTM tags, share the cached copy.
 */
export const PAGE_CACHE_HEADER = "x-page-cache";

export function cachedPageHeaders(varyingQueryParams: string[] = []): Record<string, string> {
  return {
    "Cache-Control": "public, max-age=0, must-revalidate",
    [PAGE_CACHE_HEADER]: `query=${varyingQueryParams.join(",")}`,
  };
}

export function parsePageCacheHeader(value: string | null | undefined): string[] | null {
  if (!value?.startsWith("query=")) return null;
  return value.slice("query=".length).split(",").filter(Boolean);
}
