// One trigger request (the target's protocol adapter builds it) over keep-alive node:http(s) agents.
// Not fetch: undici loads lazily on first use (tens of ms on the event loop, inside the measured window)
// and costs more per request.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { TriggerRequest } from "../core/adapters/protocol-adapter.js";
import { CrosspodError } from "../core/crosspod-error.js";

export interface TriggerReply {
  status: number;
  body: unknown;
}

export class TriggerRequestError extends CrosspodError {
  override readonly kind = "unreachable";

  constructor(
    message: string,
    /** Short stable cause for counts: "ECONNREFUSED", "timeout", "bad-json". */
    override readonly code: string,
  ) {
    super(message);
  }
}

const maxReplyBytes = 64 * 1024;

export class TriggerClient {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly timeoutMs: number) {}

  send(trigger: TriggerRequest): Promise<TriggerReply> {
    const url = new URL(trigger.url);
    const body = trigger.body;
    const secure = url.protocol === "https:";
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: trigger.method,
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers:
            body === undefined
              ? trigger.headers
              : { ...trigger.headers, "content-length": Buffer.byteLength(body) },
          timeout: this.timeoutMs,
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxReplyBytes) chunks.push(chunk);
          });
          response.on("error", (error: NodeJS.ErrnoException) =>
            reject(new TriggerRequestError(error.message, error.code ?? "response-error")),
          );
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = text === "" ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new TriggerRequestError(`no reply within ${this.timeoutMs} ms`, "timeout")),
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        reject(
          error instanceof TriggerRequestError
            ? error
            : new TriggerRequestError(error.message, error.code ?? "request-error"),
        ),
      );
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
