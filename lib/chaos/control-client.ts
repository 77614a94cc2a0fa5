// The client side of the supervisor's control API, for `crosspod chaos`: sends one action and reads the
// event back, or lists the events. Errors say what to check (is `crosspod up --control-port` running,
// is the token right) and carry the API's own message.

import type { ChaosAction } from "../core/chaos-schedule.js";
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";
import type { ChaosEvent } from "./chaos-controller.js";

export class ControlClientError extends CrosspodError {
  constructor(
    message: string,
    override readonly code:
      | "CROSSPOD_CONTROL_UNREACHABLE"
      | "CROSSPOD_CONTROL_REFUSED"
      | "CROSSPOD_CHAOS_FAILED",
    /** HTTP status, when the API answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "ControlClientError";
  }

  override get kind(): ErrorKind {
    // A request the API refused for its content is the user's to fix; an API that is down or an action
    // that failed is not.
    const refusedInput =
      this.code === "CROSSPOD_CONTROL_REFUSED" && this.status !== undefined && this.status < 500;
    return refusedInput ? "usage" : "environment";
  }
}

interface ErrorBody {
  message?: string;
  event?: ChaosEvent;
}

const requestTimeoutMs = 120_000;

async function call(url: string, token: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new ControlClientError(
      `cannot reach the chaos control API at ${url} (${cause}); is \`crosspod up --control-port\` running?`,
      "CROSSPOD_CONTROL_UNREACHABLE",
    );
  }
  const body = (await response.json().catch(() => ({}))) as unknown;
  if (response.ok) return body;
  const message = (body as ErrorBody).message ?? `HTTP ${response.status}`;
  if (response.status === 401) {
    throw new ControlClientError(
      `${message} (pass --token, or set CROSSPOD_CONTROL_TOKEN to the token \`crosspod up\` printed)`,
      "CROSSPOD_CONTROL_REFUSED",
      401,
    );
  }
  const code =
    response.status === 500 && (body as ErrorBody).event
      ? "CROSSPOD_CHAOS_FAILED"
      : "CROSSPOD_CONTROL_REFUSED";
  throw new ControlClientError(message, code, response.status);
}

export async function postChaosAction(
  controlUrl: string,
  token: string,
  action: ChaosAction,
): Promise<ChaosEvent> {
  const body = (await call(`${controlUrl.replace(/\/+$/, "")}/chaos`, token, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(action),
  })) as { event: ChaosEvent };
  return body.event;
}

export async function listChaosEvents(
  controlUrl: string,
  token: string,
): Promise<{ events: ChaosEvent[]; links: string[] }> {
  return (await call(`${controlUrl.replace(/\/+$/, "")}/chaos/events`, token, { method: "GET" })) as {
    events: ChaosEvent[];
    links: string[];
  };
}
