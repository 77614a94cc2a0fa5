// The supervisor's chaos control API, for k6 scenarios and `crosspod chaos`: loopback only, every request
// needs `Authorization: Bearer <token>` (compared in constant time over digests, so not even the length
// leaks). POST /chaos {action, target, …} runs an action and answers with its event once it is done;
// GET /chaos/events lists the events so far.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ChaosScheduleError, chaosActionNames, parseChaosAction } from "../core/chaos-schedule.js";
import { CrosspodError } from "../core/crosspod-error.js";
import { ChaosActionError } from "./chaos-action-error.js";
import type { ChaosController } from "./chaos-controller.js";

export interface ControlApiOptions {
  controller: ChaosController;
  token: string;
  /** 0 (default) lets the kernel pick a free port. */
  port?: number;
}

export interface ControlApi {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

export class ControlApiError extends CrosspodError {
  override readonly code = "CROSSPOD_CONTROL_API";
  override readonly kind = "environment";
}

const host = "127.0.0.1";
const maxBodyBytes = 16 * 1024;
const minTokenLength = 16;

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  response.end(text);
}

function failure(
  response: ServerResponse,
  status: number,
  error: string,
  message: string,
  field?: string,
  headers: Record<string, string> = {},
): void {
  send(response, status, { error, message, ...(field ? { field } : {}) }, headers);
}

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1] ?? ""), expected);
}

/**
 * The body as text, or undefined as soon as it passes the limit. Not `for await`: leaving that loop early
 * destroys the socket and the client would see a reset instead of the 413; the rest is drained instead.
 */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      request.off("data", onData);
      request.resume();
      resolve(undefined);
    };
    request.on("data", onData);
    request.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}

async function postChaos(request: IncomingMessage, response: ServerResponse, controller: ChaosController) {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    failure(
      response,
      415,
      "unsupported_media_type",
      `the body must be application/json, not ${type || "untyped"}`,
    );
    return;
  }
  const text = await readBody(request);
  if (text === undefined) {
    failure(response, 413, "body_too_large", `the body is larger than ${maxBodyBytes} bytes`, "body", {
      connection: "close",
    });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    failure(response, 400, "invalid_json", `the body is not valid JSON: ${(error as Error).message}`, "body");
    return;
  }
  let action: ReturnType<typeof parseChaosAction>;
  try {
    action = parseChaosAction(body);
  } catch (error) {
    if (!(error instanceof ChaosScheduleError)) throw error;
    failure(response, 400, "invalid_action", error.message, error.field ?? "body");
    return;
  }
  try {
    const event = await controller.apply(action);
    if (event.ok) send(response, 200, { event });
    else send(response, 500, { error: "action_failed", message: event.error, event });
  } catch (error) {
    if (!(error instanceof ChaosActionError)) throw error;
    const status = error.code === "CROSSPOD_CHAOS_TARGET" ? 404 : 409;
    failure(
      response,
      status,
      error.code === "CROSSPOD_CHAOS_TARGET" ? "unknown_target" : "unavailable",
      error.message,
      "target",
    );
  }
}

export async function startControlApi(options: ControlApiOptions): Promise<ControlApi> {
  if (options.token.length < minTokenLength) {
    throw new ControlApiError(`the control API token must be at least ${minTokenLength} characters`);
  }
  const expected = digest(options.token);
  const { controller } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const handle = async () => {
      // The socket is bound to loopback; this also refuses anything a local forwarder might pass in.
      if (!isLoopback(request.socket.remoteAddress)) {
        failure(response, 403, "forbidden", "the control API answers loopback clients only");
        return;
      }
      if (!authorized(request, expected)) {
        failure(
          response,
          401,
          "unauthorized",
          "the control API needs Authorization: Bearer <token>",
          "authorization",
          {
            "www-authenticate": 'Bearer realm="crosspod-chaos"',
          },
        );
        return;
      }
      if (path === "/chaos" && request.method === "POST") return postChaos(request, response, controller);
      if (path === "/chaos/events" && request.method === "GET") {
        send(response, 200, {
          events: controller.events,
          links: controller.linkNames,
          actions: chaosActionNames,
        });
        return;
      }
      if (path === "/chaos" || path === "/chaos/events") {
        failure(response, 405, "method_not_allowed", `${request.method} is not allowed on ${path}`);
        return;
      }
      failure(
        response,
        404,
        "not_found",
        `no route ${request.method} ${path}: try POST /chaos or GET /chaos/events`,
      );
    };
    handle().catch((error: unknown) => {
      if (!response.headersSent)
        failure(response, 500, "internal", error instanceof Error ? error.message : String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new ControlApiError(`--control-port ${options.port ?? 0}: cannot listen on ${host} (${error.code})`),
      ),
    );
    server.listen(options.port ?? 0, host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh token for `crosspod up`'s control API, unless CROSSPOD_CONTROL_TOKEN sets one. */
export function newControlToken(): string {
  return randomBytes(24).toString("base64url");
}
