import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { createStripeClient } from "../../app/modules/billing/stripe.server";

/** A Stripe API error as Stripe sends it: the HTTP status and the `error` object. */
export type InjectedError = { status: number; error: { type: string; message: string; code?: string; param?: string } };

export const STRIPE_ERRORS = {
  apiError: { status: 500, error: { type: "api_error", message: "Something went wrong on Stripe's end." } },
  invalidRequest: {
    status: 400,
    error: { type: "invalid_request_error", message: "Invalid request (injected).", param: "anything" },
  },
} satisfies Record<string, InjectedError>;

export type FailingStripe = {
  /** The portal's own Stripe client, pointed at this proxy. */
  stripe: Stripe;
  /** Every call seen since the last `reset`, as `METHOD /v1/path` with object ids as `:id`. */
  calls(): string[];
  /** From now on, answer every `call` (as `calls()` spells it) with `error`, without retries. */
  fail(call: string, error: InjectedError): void;
  reset(): void;
  stop(): Promise<void>;
};

const ID_SEGMENT = /\/(cus|prod|price|cs_test|sub_sched|sub|si|in|pm|bps|evt)_[A-Za-z0-9]+/g;

/**
 * A proxy in front of the Stripe emulator that passes every call through, except the one a
 * test makes fail: each Stripe call of a path can be failed in turn to prove that no Stripe
 * error becomes a 500. `Stripe-Should-Retry: false` keeps the SDK from retrying the failure.
 */
export async function startFailingStripe(emulatorPort: number): Promise<FailingStripe> {
  let seen: string[] = [];
  let failing: { call: string; error: InjectedError } | null = null;
  const server: Server = createServer((incoming, answer) => {
    const call = `${incoming.method} ${new URL(incoming.url ?? "/", "http://stripe").pathname.replace(ID_SEGMENT, "/:id")}`;
    seen.push(call);
    if (failing?.call === call) {
      answer.writeHead(failing.error.status, { "content-type": "application/json", "stripe-should-retry": "false" });
      answer.end(JSON.stringify({ error: failing.error.error }));
      return;
    }
    const upstream = forward(
      { host: "127.0.0.1", port: emulatorPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(answer);
      },
    );
    upstream.on("error", () => answer.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    stripe: createStripeClient({ emulatorPort: (server.address() as AddressInfo).port }),
    calls: () => [...seen],
    fail(call, error) {
      failing = { call, error };
    },
    reset() {
      seen = [];
      failing = null;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
