// A local OTLP/HTTP trace receiver (POST /v1/traces) on loopback: `crosspod run --traces` points the pods
// and the engine at it when no Jaeger runs, and keeps what they send for the report. OTLP/JSON is built
// in; other encodings plug in as decoders (the tests add protobuf). Bodies are size-checked and decoded
// by schema; a rejection is a 4xx naming the problem, as the OTLP/HTTP spec asks.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { CrosspodError } from "../core/crosspod-error.js";
import type { SpanRecord } from "../core/threat-traces.js";
import { OtlpPayloadError, spansFromOtlpJson } from "./otlp-json-spans.js";

/** Decodes one request body of a content type into spans; throws OtlpPayloadError when it is not one. */
export type OtlpDecoder = (body: Buffer) => SpanRecord[];

export interface OtlpReceiverOptions {
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  /** Spans kept; past this they are counted in `dropped`, so a long traced run cannot exhaust memory. */
  maxSpans?: number;
  /** Extra decoders by media type, e.g. application/x-protobuf. */
  decoders?: Record<string, OtlpDecoder>;
}

export interface OtlpReceiver {
  /** The traces endpoint: http://host:port/v1/traces. */
  tracesUrl: string;
  /** http://host:port, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  baseUrl: string;
  readonly spans: readonly SpanRecord[];
  readonly dropped: number;
  /** Called with every accepted batch. */
  onSpans(listener: (spans: readonly SpanRecord[]) => void): void;
  close(): Promise<void>;
}

const defaults = { host: "127.0.0.1", port: 0, maxBodyBytes: 16 * 1024 * 1024, maxSpans: 200_000 };

const jsonDecoder: OtlpDecoder = (body) => {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new OtlpPayloadError("the body is not JSON");
  }
  return spansFromOtlpJson(value);
};

/** A request the receiver refuses (4xx to the sender). */
class Rejection extends CrosspodError {
  override readonly kind = "usage";
  override readonly code = "CROSSPOD_OTLP_REJECTED";

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const config = { ...defaults, ...options };
  const decoders: Record<string, OtlpDecoder> = { "application/json": jsonDecoder, ...options.decoders };
  const spans: SpanRecord[] = [];
  const listeners: ((batch: readonly SpanRecord[]) => void)[] = [];
  let dropped = 0;

  function accept(batch: SpanRecord[]): void {
    const room = Math.max(0, config.maxSpans - spans.length);
    for (const span of batch.slice(0, room)) spans.push(span);
    dropped += Math.max(0, batch.length - room);
    for (const listener of listeners) listener(batch);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.split("?")[0] !== "/v1/traces") throw new Rejection(404, "only /v1/traces is served");
    if (req.method !== "POST") throw new Rejection(405, "use POST");
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const decode = decoders[mediaType];
    if (decode === undefined) {
      throw new Rejection(415, `content-type must be one of: ${Object.keys(decoders).join(", ")}`);
    }
    const raw = await readBody(req, config.maxBodyBytes);
    try {
      // OTEL_EXPORTER_OTLP_COMPRESSION=gzip is the exporters' one compression option.
      const body = req.headers["content-encoding"] === "gzip" ? gunzip(raw) : raw;
      accept(decode(body));
    } catch (error) {
      if (error instanceof OtlpPayloadError) throw new Rejection(400, error.message);
      throw error;
    }
    // An empty ExportTraceServiceResponse: everything accepted. Its JSON form suits both encodings'
    // clients, which ignore a body they do not need.
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof Rejection ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: status, message }));
      if (status === 413) req.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const baseUrl = `http://${config.host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    tracesUrl: `${baseUrl}/v1/traces`,
    spans,
    get dropped() {
      return dropped;
    },
    onSpans: (listener) => void listeners.push(listener),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function gunzip(body: Buffer): Buffer {
  try {
    return gunzipSync(body);
  } catch {
    throw new OtlpPayloadError("content-encoding is gzip but the body is not gzip");
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Rejection(413, `the body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
