/** Error types and HTTP statuses as https://docs.stripe.com/api/errors documents them. */
export type StripeErrorType =
  "api_error" | "card_error" | "idempotency_error" | "invalid_request_error" | "authentication_error";

export interface StripeErrorBody {
  error: { type: StripeErrorType; code?: string; message: string; param?: string; decline_code?: string };
}

/** Thrown by handlers; the server turns it into Stripe's error response. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly declineCode?: string,
  ) {
    super(message);
    this.name = "StripeApiError";
  }

  toBody(): StripeErrorBody {
    const { type, code, message, param, declineCode } = this;
    return {
      error: {
        type,
        message,
        ...(code ? { code } : {}),
        ...(param ? { param } : {}),
        ...(declineCode ? { decline_code: declineCode } : {}),
      },
    };
  }
}

export function invalidRequest(message: string, param?: string, code = "parameter_invalid"): StripeApiError {
  return new StripeApiError(400, "invalid_request_error", message, code, param);
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    `Missing required param: ${param}.`,
    "parameter_missing",
    param,
  );
}

export function unknownParam(param: string): StripeApiError {
  return new StripeApiError(
    400,
    "invalid_request_error",
    `Received unknown parameter: ${param}`,
    "parameter_unknown",
    param,
  );
}

/** `No such price: 'price_123'`, with the param that named the missing object when there is one. */
export function noSuch(resource: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(
    404,
    "invalid_request_error",
    `No such ${resource}: '${id}'`,
    "resource_missing",
    param ?? "id",
  );
}

export function unknownRoute(method: string, path: string): StripeApiError {
  return new StripeApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
}

export function authenticationError(message: string): StripeApiError {
  return new StripeApiError(401, "authentication_error", message);
}

export function idempotencyError(key: string): StripeApiError {
  return new StripeApiError(
    400,
    "idempotency_error",
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  );
}

/** What Stripe answers (402) when a charge made by the request is declined. */
export function cardError(decline: {
  code: string;
  declineCode?: string | undefined;
  message: string;
}): StripeApiError {
  return new StripeApiError(402, "card_error", decline.message, decline.code, undefined, decline.declineCode);
}

/** A parameter value Stripe accepts but the emulator does not implement: fail loudly, never half-work. */
export function notImplemented(what: string, param?: string): StripeApiError {
  return invalidRequest(`The Stripe emulator does not implement ${what}.`, param);
}
