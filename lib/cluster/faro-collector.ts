// A local, Faro-compatible collector: console pages POST Faro transport bodies to /collect, and the
// measurements come out as Prometheus histograms on GET /metrics. It stands in for Grafana Alloy's Faro
// receiver when there is no Docker. Every payload is checked (size, content type, JSON, schema, rate) and
// each rejection is answered with a 4xx naming the problem and counted by reason.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";
import { createTokenBucket } from "../core/token-bucket.js";
import { type BrowserMetrics, createBrowserMetrics, type RejectReason } from "./browser-metrics.js";
import { describeFirstIssue, faroPayloadSchema } from "./faro-payload.js";

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.string().min(1).default("127.0.0.1"),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Accepted POSTs per second over all clients; a burst of the same size is allowed. */
  ratePerSecond: z.number().positive().default(200),
  /** Extra browser origins allowed by CORS; loopback origins (the local pods) are always allowed. */
  allowedOrigins: z.array(z.string().url()).default([]),
});

export type FaroCollectorOptions = z.input<typeof optionsSchema>;

export interface FaroCollector {
  /** The URL to give Faro (`initializeFaro({ url })`, or the console's `?faro=`). */
  url: string;
  metricsUrl: string;
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

export class FaroCollectorError extends CrosspodError {
  override readonly kind = "environment";

  constructor(
    message: string,
    override readonly code: string,
  ) {
    super(message);
    this.name = "FaroCollectorError";
  }
}

const collectPath = /^\/collect(?:\/[\w-]*)?$/;
const loopbackOrigin = /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$/;
const allowedRequestHeaders = "content-type, x-faro-session-id, idempotency-key, x-api-key";

/** A payload the collector refuses (4xx to the browser); `code` names the reason for logs. */
class Rejection extends CrosspodError {
  override readonly kind = "usage";
  override readonly code = "CROSSPOD_FARO_REJECTED";

  constructor(
    readonly status: number,
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

export async function startFaroCollector(options: FaroCollectorOptions = {}): Promise<FaroCollector> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new FaroCollectorError(
      `invalid Faro collector option ${describeFirstIssue(parsed.error)}`,
      "CROSSPOD_FARO_COLLECTOR_OPTIONS",
    );
  }
  const config = parsed.data;
  const metrics = createBrowserMetrics();
  const bucket = createTokenBucket(config.ratePerSecond);
  const extraOrigins = new Set(config.allowedOrigins.map((origin) => new URL(origin).origin));
  const isAllowedOrigin = (origin: string) => loopbackOrigin.test(origin) || extraOrigins.has(origin);

  const server = createServer((req, res) => {
    handle(req, res, {
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      isAllowedOrigin,
      take: (nowMs) => bucket.take(nowMs) === 0,
    }).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal", message: String(error) });
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new FaroCollectorError(
          `Faro collector could not listen on ${config.host}:${config.port} (${error.code ?? error.message}); choose another port`,
          "CROSSPOD_FARO_COLLECTOR_LISTEN",
        ),
      ),
    );
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

  return {
    url: `${base}/collect`,
    metricsUrl: `${base}/metrics`,
    port,
    registry: metrics.registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface HandlerContext {
  metrics: BrowserMetrics;
  maxBodyBytes: number;
  isAllowedOrigin(origin: string): boolean;
  take(nowMs: number): boolean;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (req.method === "GET" && path === "/metrics") {
    const body = await ctx.metrics.registry.metrics();
    res.writeHead(200, { "content-type": ctx.metrics.registry.contentType }).end(body);
    return;
  }
  if (req.method === "GET" && path === "/healthz") {
    sendJson(res, 200, { ok: true });
    return;
  }
  if (!collectPath.test(path)) {
    sendJson(res, 404, { error: "not_found", message: `no route for ${req.method} ${path}` });
    return;
  }

  const origin = req.headers.origin;
  if (origin !== undefined && ctx.isAllowedOrigin(origin)) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", "retry-after, x-faro-session-status");
    res.setHeader("vary", "origin");
  }
  if (req.method === "OPTIONS") {
    res
      .writeHead(204, {
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-allow-headers": allowedRequestHeaders,
        "access-control-max-age": "600",
      })
      .end();
    return;
  }

  try {
    if (req.method !== "POST")
      throw new Rejection(405, "method", `${req.method} is not allowed; POST a Faro payload`);
    if (origin !== undefined && !ctx.isAllowedOrigin(origin)) {
      throw new Rejection(403, "origin", `origin ${origin} is not allowed; add it to allowedOrigins`);
    }
    if (!ctx.take(Date.now())) {
      res.setHeader("retry-after", "1");
      throw new Rejection(429, "rate_limit", "over the collector's rate limit; retry after 1 s");
    }
    const payload = await readPayload(req, ctx.maxBodyBytes);
    ctx.metrics.record(payload);
    sendJson(res, 202, {});
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    ctx.metrics.reject(error.reason);
    if (!req.complete) res.setHeader("connection", "close");
    sendJson(res, error.status, { error: error.reason, message: error.message });
  }
}

async function readPayload(req: IncomingMessage, maxBodyBytes: number) {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > maxBodyBytes) {
    throw new Rejection(
      413,
      "too_large",
      `body of ${declared} bytes is over the limit of ${maxBodyBytes} bytes`,
    );
  }
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") {
    throw new Rejection(
      415,
      "content_type",
      `content-type must be application/json, got ${contentType || "none"}`,
    );
  }
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    throw new Rejection(
      415,
      "content_type",
      `content-encoding ${encoding} is not supported; send plain JSON`,
    );
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      throw new Rejection(413, "too_large", `body is over the limit of ${maxBodyBytes} bytes`);
    }
    chunks.push(chunk);
  }

  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new Rejection(400, "json", `body is not valid JSON: ${(error as Error).message}`);
  }
  const result = faroPayloadSchema.safeParse(json);
  if (!result.success) throw new Rejection(400, "schema", describeFirstIssue(result.error));
  return result.data;
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
