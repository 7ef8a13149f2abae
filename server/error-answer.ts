import type { ErrorRequestHandler } from "express";
import type { Logger } from "../app/lib/logger.server";

/** What a person reads for a client fault the libraries report (body-parser, serve-static, Express's router). */
const CLIENT_FAULTS: Record<number, string> = {
  400: "The request was malformed.",
  404: "There is nothing at this address.",
  405: "This site does not answer this kind of request.",
  413: "The request is too large.",
  414: "The address is too long.",
  415: "This kind of content is not accepted here.",
};

/**
 * The last handler: an error nothing else answered gets a sentence, never a stack trace or a file
 * path (Express's own handler prints the stack unless NODE_ENV is production). Errors a library
 * marks as the client's (`status` 4xx, such as `%` in an asset's path) keep that status; anything
 * else is a 500 and is logged with its stack, which stays in the log.
 */
export function errorAnswer(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const status = statusOf(error);
    if (status >= 500) logger.error({ err: error, method: req.method, url: req.originalUrl }, "request failed");
    // Part of an answer is already out: only closing the connection tells the client it is cut short.
    if (res.headersSent) return next(error);
    res
      .status(status)
      .type("text/plain")
      .send(
        CLIENT_FAULTS[status] ??
          (status < 500
            ? "The request could not be processed."
            : "Something went wrong on our side. Please try again in a moment."),
      );
  };
}

function statusOf(error: unknown): number {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400 && status < 500 ? status : 500;
}
