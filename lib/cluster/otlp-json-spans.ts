// OTLP/JSON trace export bodies (ExportTraceServiceRequest in the protobuf JSON mapping, ids in hex as
// the OTLP spec requires) checked by schema and flattened into SpanRecords.

import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";
import type { SpanRecord } from "../core/threat-traces.js";

const anyValueSchema = z
  .object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    doubleValue: z.union([z.number(), z.string()]).optional(),
  })
  .passthrough();

const keyValuesSchema = z.array(z.object({ key: z.string(), value: anyValueSchema.optional() })).default([]);

const nanosSchema = z.union([z.string().regex(/^\d+$/), z.number().nonnegative()]);

const spanSchema = z
  .object({
    traceId: z.string().regex(/^[0-9a-fA-F]{32}$/),
    spanId: z.string().regex(/^[0-9a-fA-F]{16}$/),
    parentSpanId: z.string().optional(),
    name: z.string(),
    startTimeUnixNano: nanosSchema,
    endTimeUnixNano: nanosSchema,
    attributes: keyValuesSchema,
    links: z
      .array(
        z
          .object({
            traceId: z.string().regex(/^[0-9a-fA-F]{32}$/),
            spanId: z.string().regex(/^[0-9a-fA-F]{16}$/),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();

export const otlpTraceRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: keyValuesSchema }).passthrough().optional(),
        scopeSpans: z.array(z.object({ spans: z.array(spanSchema).default([]) }).passthrough()).default([]),
      }),
    )
    .default([]),
});

export type OtlpTraceRequest = z.input<typeof otlpTraceRequestSchema>;

function scalar(value: z.infer<typeof anyValueSchema> | undefined): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  return undefined;
}

function attributesOf(list: z.infer<typeof keyValuesSchema>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list) {
    const read = scalar(value);
    if (read !== undefined) out[key] = read;
  }
  return out;
}

/** Epoch ms from unix nanoseconds, exact to the microsecond (BigInt: ns since 1970 exceed 2^53). */
function nanosToMs(nanos: string | number): number {
  if (typeof nanos === "number") return nanos / 1e6;
  const value = BigInt(nanos);
  return Number(value / 1000n) / 1000;
}

export class OtlpPayloadError extends CrosspodError {
  override readonly code = "CROSSPOD_OTLP_PAYLOAD";
  override readonly kind = "usage";
}

/** The spans of an OTLP/JSON body already parsed from JSON (or a protobuf body's toObject, ids in hex). */
export function spansFromOtlpJson(body: unknown): SpanRecord[] {
  const parsed = otlpTraceRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OtlpPayloadError(
      `not an OTLP trace export: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const spans: SpanRecord[] = [];
  for (const resourceSpans of parsed.data.resourceSpans) {
    const resource = attributesOf(resourceSpans.resource?.attributes ?? []);
    for (const scope of resourceSpans.scopeSpans) {
      for (const span of scope.spans) {
        const parent = span.parentSpanId?.toLowerCase();
        spans.push({
          traceId: span.traceId.toLowerCase(),
          spanId: span.spanId.toLowerCase(),
          parentSpanId: parent === undefined || parent === "" || /^0+$/.test(parent) ? undefined : parent,
          name: span.name,
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          attributes: attributesOf(span.attributes),
          resource,
          links: span.links.map((link) => ({
            traceId: link.traceId.toLowerCase(),
            spanId: link.spanId.toLowerCase(),
          })),
        });
      }
    }
  }
  return spans;
}
