import { authenticationError } from "./errors";

/**
 * The secret key of a request. Like Stripe, accepts `Authorization: Bearer sk_…` and HTTP Basic
 * with the key as user name (`curl -u sk_test_…:`). Any test-mode secret key is valid here.
 */
export function apiKeyOf(authorization: string | undefined): string {
  if (!authorization) {
    throw authenticationError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const [scheme = "", credentials = ""] = authorization.split(" ");
  const key =
    scheme.toLowerCase() === "basic"
      ? (Buffer.from(credentials, "base64").toString("utf8").split(":")[0] ?? "")
      : scheme.toLowerCase() === "bearer"
        ? credentials
        : "";
  if (!/^sk_test_\w+$/.test(key)) throw authenticationError(`Invalid API Key provided: ${redact(key)}`);
  return key;
}

function redact(key: string): string {
  return key.length <= 8 ? "*".repeat(key.length) : `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}
