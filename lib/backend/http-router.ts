// A small explicit router over node:http: exact paths or one-parameter patterns, per-method handlers,
// JSON 404/405, and the single place where thrown errors become HTTP responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { BusUnavailableError } from "./bus-unavailable-error.js";
import { HttpError } from "./http-error.js";
import { errorBody, sendError, sendJson } from "./http-response.js";

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The pattern's first capture group (raw, not URL-decoded), for routes like /api/threats/:id. */
  param: string | undefined;
}

export type RouteHandler = (request: RouteRequest) => Promise<void> | void;

export interface Route {
  /** Anchored pattern over the path; at most one capture group. */
  path: RegExp;
  methods: Partial<Record<"GET" | "POST", RouteHandler>>;
}

/** The request target as a URL, or undefined when it cannot be parsed (e.g. `GET //[`): never throws. */
export function parseRequestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}

export const invalidUrlMessage = "the request target is not a valid URL path";

export function createRequestHandler(routes: Route[], logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = parseRequestUrl(req.url);
    if (url === undefined) {
      respondWithError(req, res, new HttpError(400, "invalid_url", invalidUrlMessage, "url"), logger);
      return;
    }
    void dispatch(routes, { req, res, url, param: undefined }).catch((error: unknown) =>
      respondWithError(req, res, error, logger),
    );
  };
}

async function dispatch(routes: Route[], request: RouteRequest): Promise<void> {
  for (const route of routes) {
    const match = route.path.exec(request.url.pathname);
    if (!match) continue;
    // HEAD is GET without the body (node:http drops a HEAD response's body by itself).
    const method = request.req.method === "HEAD" ? "GET" : request.req.method;
    const handler = route.methods[method as "GET" | "POST"];
    if (!handler) {
      const allow = Object.keys(route.methods)
        .flatMap((name) => (name === "GET" ? ["GET", "HEAD"] : [name]))
        .join(", ");
      throw new HttpError(
        405,
        "method_not_allowed",
        `${request.req.method} is not allowed here; use ${allow}`,
        "method",
        {
          Allow: allow,
        },
      );
    }
    await handler({ ...request, param: match[1] });
    return;
  }
  throw new HttpError(404, "not_found", `no route for ${request.url.pathname}`);
}

function respondWithError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void {
  // A client that went away mid-body (or a request timeout that already answered 408) is nobody's fault
  // here: nothing to answer, nothing to alarm the operator about.
  if (res.destroyed || req.socket.destroyed || isAbort(error)) {
    logger.debug({ method: req.method, url: req.url, reason: describe(error) }, "client went away");
    return;
  }
  // Keep reading (and discarding) a body the handler did not consume, so the client gets the response.
  if (!req.complete) req.resume();
  if (res.headersSent) {
    logger.error({ err: error, url: req.url }, "request failed after the response started");
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendError(res, error);
  } else if (error instanceof BusUnavailableError) {
    sendJson(res, 503, errorBody("redis_unavailable", error.message), { "Retry-After": "1" });
  } else {
    logger.error({ err: error, method: req.method, url: req.url }, "request failed");
    sendJson(res, 500, errorBody("internal", "internal error; see the pod's log"));
  }
}

function isAbort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
