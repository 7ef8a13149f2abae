/**
 * A Host header's syntax (RFC 9110 §7.2: `uri-host [ ":" port ]`), kept to what a portal can be reached at:
 * a DNS name, an IPv4 address or a bracketed IPv6 address, and an optional port. Anything else (a path, a
 * query, spaces, user info, a trailing dot) is not a host.
 */
const HOST_SYNTAX =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::\d{1,5})?$/i;

/**
 * The canonical form of a host (`name[:port]`), as the WHATWG URL parser writes it for `protocol`
 * (`http:` or `https:`): lower case, the protocol's default port dropped. Null when `value` is not a host.
 */
export function normalHost(value: string | undefined, protocol: string): string | null {
  if (value === undefined || !HOST_SYNTAX.test(value)) return null;
  try {
    return new URL(`${protocol}//${value}`).host;
  } catch {
    return null;
  }
}
