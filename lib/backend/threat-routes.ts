// The threat API: POST /api/threats/trigger, GET /api/threats/:id, GET /api/threats?since=&limit=.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import {
  type ThreatHistoryResponse,
  type TriggerResponse,
  triggerBodySchema,
} from "../core/threat-protocol.js";
import type { BackendMetrics } from "./backend-metrics.js";
import type { BackendTracing, TriggerTrace } from "./backend-tracing.js";
import { requireBearer } from "./bearer-auth.js";
import { HttpError } from "./http-error.js";
import { errorBody, sendJson } from "./http-response.js";
import type { Route, RouteRequest } from "./http-router.js";
import { readJsonBody } from "./json-body.js";
import { buildThreat } from "./random-threat.js";
import type { ThreatBus } from "./redis-bus.js";
import { seqPattern } from "./seq-query.js";
import type { TriggerRateLimit } from "./trigger-rate-limit.js";

export interface ThreatRoutesOptions {
  podName: string;
  authToken: string | undefined;
  maxBodyBytes: number;
  bus: ThreatBus;
  rateLimit: TriggerRateLimit;
  metrics: BackendMetrics;
  tracing: BackendTracing;
  isDraining: () => boolean;
  /** Registers a trigger in flight, so shutdown can wait for it to be answered. */
  track: <T>(work: Promise<T>) => Promise<T>;
}

const idPattern = /^[A-Za-z0-9-]{1,64}$/;
const maxHistoryLimit = 1000;

const historyQuerySchema = z.object({
  since: z
    .string()
    .regex(seqPattern, "expected a non-negative integer seq in decimal digits")
    .transform(Number)
    .default(0),
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, `expected a whole number from 1 to ${maxHistoryLimit}`)
    .transform(Number)
    .pipe(z.number().min(1).max(maxHistoryLimit))
    .default(100),
});

/** The first zod issue as a field name: a path like "probe.n", or the unknown key itself. */
function firstIssue(error: z.ZodError): { field: string; message: string; code: string } {
  const issue = error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const field = [...issue.path, issue.keys[0] ?? ""].join(".");
    return { field, message: `unknown field "${field}"`, code: "unknown_field" };
  }
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  return { field, message: `${field}: ${issue?.message ?? "invalid"}`, code: "invalid_field" };
}

export function threatRoutes(options: ThreatRoutesOptions): Route[] {
  const { bus, metrics } = options;

  async function trigger({ req, res }: RouteRequest): Promise<void> {
    if (options.isDraining()) {
      throw new HttpError(503, "draining", "this pod is shutting down; send to another one", undefined, {
        "Retry-After": "1",
      });
    }
    const trace = options.tracing.startTrigger(req);
    try {
      // Tracked from the start, so a trigger accepted before draining is answered before Redis is quit.
      await options.track(publishTrigger(req, res, trace));
      trace.end(res.statusCode);
    } catch (error) {
      trace.end(res.statusCode, error);
      throw error;
    }
  }

  async function publishTrigger(
    req: IncomingMessage,
    res: ServerResponse,
    trace: TriggerTrace,
  ): Promise<void> {
    requireBearer(req, options.authToken);
    const waitMs = options.rateLimit.take(Date.now());
    if (waitMs > 0) {
      throw new HttpError(429, "rate_limited", "trigger rate limit reached on this pod", undefined, {
        "Retry-After": String(Math.ceil(waitMs / 1000)),
      });
    }
    const body = await readJsonBody(req, options.maxBodyBytes);
    // Only an empty body means "a random threat"; a JSON null is a body, and not an object.
    const parsed = triggerBodySchema.safeParse(body === undefined ? {} : body);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      throw new HttpError(400, issue.code, issue.message, issue.field);
    }
    const threat = buildThreat(parsed.data);
    const published = await trace.publish((traceparent) =>
      bus.publish({
        id: threat.id,
        podOrigin: options.podName,
        threat,
        ...(traceparent ? { traceparent } : {}),
      }),
    );
    metrics.published.inc();
    const response: TriggerResponse = {
      id: threat.id,
      seq: published.seq,
      pod: options.podName,
      published_at: published.publishedAt,
    };
    sendJson(res, 202, response);
  }

  async function getById({ res, param }: RouteRequest): Promise<void> {
    const id = param ?? "";
    const frame = idPattern.test(id) ? await bus.find(id) : undefined;
    if (frame === undefined) {
      sendJson(
        res,
        404,
        errorBody("not_found", `no threat with id ${JSON.stringify(id)} (unknown or expired)`, "id"),
      );
      return;
    }
    sendJson(res, 200, frame);
  }

  async function list({ res, url }: RouteRequest): Promise<void> {
    const parsed = historyQuerySchema.safeParse({
      since: url.searchParams.get("since") ?? undefined,
      limit: url.searchParams.get("limit") ?? undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "query");
      throw new HttpError(400, "invalid_query", `${field}: ${issue?.message ?? "invalid"}`, field);
    }
    const { since, limit } = parsed.data;
    const [position, frames] = await Promise.all([bus.position(), bus.history(since + 1, limit)]);
    // Frames are already JSON; splice them in rather than parse and re-serialize each one.
    const head: Omit<ThreatHistoryResponse, "threats"> = { epoch: position.epoch, head: position.head };
    const threats = frames.map((frame) => frame.bytes.toString()).join(",");
    sendJson(res, 200, `${JSON.stringify(head).slice(0, -1)},"threats":[${threats}]}`);
  }

  return [
    { path: /^\/api\/threats\/trigger$/, methods: { POST: trigger } },
    { path: /^\/api\/threats$/, methods: { GET: list } },
    { path: /^\/api\/threats\/([^/]+)$/, methods: { GET: getById } },
  ];
}
