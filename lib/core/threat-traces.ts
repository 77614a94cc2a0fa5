// From received spans to the report's view of traced threats: each trace rooted in an engine trigger span
// becomes a waterfall (trigger → HTTP → publish → each pod's delivery → each pod's receive), timed from
// the trigger's start to the last receive; the slowest ones go into the report. Pure data, no runtime.
import { z } from "zod";

/** One span as an OTLP receiver decoded it (ids in lowercase hex, times in epoch ms). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  /** Resource attributes: service.name, service.instance.id. */
  resource: Record<string, string | number | boolean>;
  /** Spans this one relates to in other traces (a resumed client's replayed frames). */
  links: { traceId: string; spanId: string }[];
}

export const waterfallSpanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  /** service.name, with service.instance.id (a pod name) when the span's process has one. */
  service: z.string(),
  /** The pod the span is about (crosspod.pod), for delivery and receive spans. */
  pod: z.string().optional(),
  /** From the trigger span's start. */
  offsetMs: z.number(),
  durationMs: z.number().nonnegative(),
  depth: z.number().int().nonnegative(),
});
export type WaterfallSpan = z.infer<typeof waterfallSpanSchema>;

export const threatTraceSchema = z.object({
  traceId: z.string(),
  seq: z.number().int().optional(),
  /** Trigger start to the last client's receive on any pod. */
  totalMs: z.number().nonnegative(),
  /** Parent before child, siblings by start time. */
  spans: z.array(waterfallSpanSchema),
});
export type ThreatTrace = z.infer<typeof threatTraceSchema>;

export const triggerSpanName = "trigger threat";

function serviceOf(span: SpanRecord): string {
  const name = String(span.resource["service.name"] ?? "unknown");
  const instance = span.resource["service.instance.id"];
  return instance === undefined ? name : `${name} ${instance}`;
}

/** The `count` slowest traced threats among `spans` (traces without a trigger span are left out). */
export function slowestThreats(spans: readonly SpanRecord[], count: number): ThreatTrace[] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list === undefined) byTrace.set(span.traceId, [span]);
    else list.push(span);
  }
  const threats: ThreatTrace[] = [];
  for (const [traceId, members] of byTrace) {
    const root = members.find((span) => span.name === triggerSpanName && span.parentSpanId === undefined);
    if (root === undefined) continue;
    threats.push(waterfall(traceId, root, members));
  }
  threats.sort((a, b) => b.totalMs - a.totalMs);
  return threats.slice(0, count);
}

function waterfall(traceId: string, root: SpanRecord, members: readonly SpanRecord[]): ThreatTrace {
  const children = new Map<string, SpanRecord[]>();
  for (const span of members) {
    if (span.parentSpanId === undefined) continue;
    const list = children.get(span.parentSpanId);
    if (list === undefined) children.set(span.parentSpanId, [span]);
    else list.push(span);
  }
  const ordered: WaterfallSpan[] = [];
  let endMs = root.endMs;
  const visit = (span: SpanRecord, depth: number) => {
    if (span.endMs > endMs) endMs = span.endMs;
    const pod = span.attributes["crosspod.pod"];
    ordered.push({
      spanId: span.spanId,
      ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
      name: span.name,
      service: serviceOf(span),
      ...(typeof pod === "string" ? { pod } : {}),
      offsetMs: span.startMs - root.startMs,
      durationMs: Math.max(0, span.endMs - span.startMs),
      depth,
    });
    // Deliveries before receives under one publish, each group by pod, so the waterfall reads in order.
    const kids = [...(children.get(span.spanId) ?? [])].sort(
      (a, b) => a.name.localeCompare(b.name) || a.startMs - b.startMs,
    );
    for (const child of kids) visit(child, depth + 1);
  };
  visit(root, 0);
  const seq = members.find((span) => typeof span.attributes["crosspod.seq"] === "number")?.attributes[
    "crosspod.seq"
  ];
  return {
    traceId,
    ...(typeof seq === "number" ? { seq } : {}),
    totalMs: endMs - root.startMs,
    spans: ordered,
  };
}
