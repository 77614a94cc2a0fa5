// The Faro transport body (what @grafana/faro-web-sdk's FetchTransport POSTs), as a zod schema for the
// collector's edge. Objects are loose because Faro adds fields between releases; every array and string is
// bounded so one payload cannot make the collector allocate without limit.
import { z } from "zod";

const maxItems = 1000;
const shortText = z.string().max(256);
const longText = z.string().max(16_384);
const attributes = z.record(z.string().max(128), z.string().max(4096));

const metaSchema = z.looseObject({
  sdk: z.looseObject({ name: shortText.optional(), version: shortText.optional() }).optional(),
  app: z.looseObject({ name: shortText.optional(), version: shortText.optional() }).optional(),
  session: z.looseObject({ id: shortText.optional(), attributes: attributes.optional() }).optional(),
  page: z
    .looseObject({
      id: shortText.optional(),
      url: z.string().max(2048).optional(),
      attributes: attributes.optional(),
    })
    .optional(),
  view: z.looseObject({ name: shortText }).optional(),
});

// Durations the collector turns into histograms, in ms: at most an hour, never negative (one 1e308 would
// poison a histogram's _sum for good). CLS is a unitless layout-shift score. Other values are not recorded,
// but are still bounded so nothing downstream meets an absurd number.
const maxDurationMs = 3_600_000;
const valueRanges: Record<string, readonly [min: number, max: number]> = {
  threat_render_latency: [0, maxDurationMs],
  ws_reconnect_duration: [0, maxDurationMs],
  fcp: [0, maxDurationMs],
  lcp: [0, maxDurationMs],
  inp: [0, maxDurationMs],
  ttfb: [0, maxDurationMs],
  cls: [0, 1000],
};
const anyValueRange = [-1e12, 1e12] as const;

const measurementSchema = z.looseObject({
  type: shortText.min(1),
  values: z.record(z.string().min(1).max(128), z.number()).superRefine((values, context) => {
    for (const [name, value] of Object.entries(values)) {
      const [min, max] = valueRanges[name] ?? anyValueRange;
      if (value < min || value > max) {
        context.addIssue({
          code: "custom",
          path: [name],
          message: `expected a value from ${min} to ${max} (got ${value})`,
        });
      }
    }
  }),
  timestamp: shortText,
  context: attributes.optional(),
});

const logSchema = z.looseObject({
  message: longText,
  level: shortText,
  timestamp: shortText,
  context: attributes.optional(),
});

const exceptionSchema = z.looseObject({
  type: shortText,
  value: longText,
  timestamp: shortText,
  stacktrace: z
    .looseObject({
      frames: z
        .array(z.looseObject({ filename: z.string().max(2048), function: z.string().max(1024) }))
        .max(200),
    })
    .optional(),
  context: attributes.optional(),
});

const eventSchema = z.looseObject({
  name: shortText.min(1),
  timestamp: shortText,
  domain: shortText.optional(),
  attributes: attributes.optional(),
});

export const faroPayloadSchema = z.looseObject({
  meta: metaSchema,
  measurements: z.array(measurementSchema).max(maxItems).optional(),
  logs: z.array(logSchema).max(maxItems).optional(),
  exceptions: z.array(exceptionSchema).max(maxItems).optional(),
  events: z.array(eventSchema).max(maxItems).optional(),
  traces: z.looseObject({}).optional(),
});

export type FaroPayload = z.infer<typeof faroPayloadSchema>;
export type FaroMeasurement = z.infer<typeof measurementSchema>;

/** "measurements.0.values.lcp: Invalid input: expected number, received string" — names the field. */
export function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "payload: invalid";
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "payload";
  return `${field}: ${issue.message}`;
}
