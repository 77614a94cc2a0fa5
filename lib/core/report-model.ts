// The run report: one versioned JSON document produced by both engines (Node and k6) and read by every
// renderer (console, JSON, HTML). Bump `schema` on any breaking change; additive fields keep v1.
import { z } from "zod";
import { driftSchema } from "./drift-schema.js";
import { reportSchemaId } from "./report-schema-id.js";
import { threatTraceSchema } from "./threat-traces.js";

export { reportSchemaId };

/** Latency distribution in milliseconds, read off an HDR histogram (µs resolution). */
export const latencySummarySchema = z.object({
  count: z.number().int().nonnegative(),
  min: z.number().nonnegative(),
  mean: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p999: z.number().nonnegative(),
  max: z.number().nonnegative(),
});
export type LatencySummary = z.infer<typeof latencySummarySchema>;

/** Delivery accounting, Jepsen-style: valid only when nothing was lost or unexpected. */
export const deliverySchema = z.object({
  /** Frames each connection should have seen while connected (seq-based) or per publisher (n-based). */
  expected: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  /** Expected while connected but never received. */
  lost: z.number().int().nonnegative(),
  /** Published while the connection was down and not recovered by resume (pubsub mode's expected loss). */
  missedWhileDisconnected: z.number().int().nonnegative(),
  /** Published while the connection was down and delivered after resume. */
  recovered: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  outOfOrder: z.number().int().nonnegative(),
  /** `reset` frames seen: history was lost on the server side. */
  resets: z.number().int().nonnegative(),
  /** A few seqs (or publisher:n) that were lost, for debugging. */
  lostSamples: z.array(z.string()).max(20),
});
export type DeliveryFigures = z.infer<typeof deliverySchema>;

export const podFiguresSchema = z.object({
  connections: z.object({
    opened: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    peak: z.number().int().nonnegative(),
    reconnects: z.number().int().nonnegative(),
  }),
  triggers: z.object({
    sent: z.number().int().nonnegative(),
    accepted: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  delivery: deliverySchema,
  fanout: latencySummarySchema,
  e2e: latencySummarySchema,
  reconnectTime: latencySummarySchema,
});
export type PodFigures = z.infer<typeof podFiguresSchema>;

export const podHistogramsSchema = z.object({
  fanout: z.string(),
  e2e: z.string(),
  reconnectTime: z.string(),
});
export type PodHistograms = z.infer<typeof podHistogramsSchema>;

export const timeSeriesPointSchema = z.object({
  /** Seconds since the run started. */
  t: z.number().nonnegative(),
  connections: z.number().int().nonnegative(),
  /** Triggers accepted since the previous point (points are about a second apart, later when the generator lags). */
  triggers: z.number().int().nonnegative(),
  framesPerSecond: z.number().nonnegative(),
  fanoutP99Ms: z.number().nonnegative(),
  /** Connect and trigger failures since the previous point. */
  errors: z.number().int().nonnegative(),
});
export type TimeSeriesPoint = z.infer<typeof timeSeriesPointSchema>;

export const runEventSchema = z.object({
  t: z.number().nonnegative(),
  kind: z.enum(["phase", "chaos", "error", "reset", "info"]),
  name: z.string(),
  target: z.string().optional(),
  detail: z.string().optional(),
});
export type RunEvent = z.infer<typeof runEventSchema>;

export const thresholdResultSchema = z.object({
  metric: z.string(),
  expression: z.string(),
  ok: z.boolean(),
  /** The value the expression was evaluated on, in the metric's unit (ms for latencies). */
  actual: z.number().nullable(),
});
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;

export const matrixCellSchema = z.object({
  origin: z.string(),
  deliveredBy: z.string(),
  fanout: latencySummarySchema,
  received: z.number().int().nonnegative(),
  /** The cell's fan-out HDR histogram (base64), so matrices of partial reports merge exactly. */
  fanoutHistogram: z.string().optional(),
});
export type MatrixCell = z.infer<typeof matrixCellSchema>;

export const chaosImpactSchema = z.object({
  t: z.number().nonnegative(),
  action: z.string(),
  target: z.string(),
  clientsDisconnected: z.number().int().nonnegative(),
  reconnectTime: latencySummarySchema,
  missedWhileDisconnected: z.number().int().nonnegative(),
  recovered: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  outOfOrder: z.number().int().nonnegative(),
  /** Fan-out p99 (ms) in the 5 s before, during (event to last reconnect) and 5 s after. */
  fanoutP99Ms: z.object({ before: z.number(), during: z.number(), after: z.number() }),
  historyLost: z.boolean(),
  /**
   * When the schedule said to act, seconds from the first trigger (`@10s`); `t` is when it was issued,
   * seconds from the run's start (ramp and connect included).
   */
  scheduledAt: z.number().nonnegative().optional(),
  /**
   * Events that bring a pod back (restart-pod): seconds from the event until the pod accepted its first
   * trigger and said hello to its first client again; null when it never did during the run.
   */
  rejoined: z
    .object({
      firstTriggerSeconds: z.number().nonnegative().nullable(),
      firstClientSeconds: z.number().nonnegative().nullable(),
    })
    .optional(),
  /** Redis failover actions (Sentinel mode): what clients of Redis lived through. */
  redis: z
    .object({
      fromPrimary: z.string(),
      toPrimary: z.string(),
      /** From the action until the new primary took a write. */
      noPrimaryMs: z.number().nonnegative(),
      /** From the action until every pod was ready on the new primary; absent when some never was. */
      resubscribeMs: z.number().nonnegative().optional(),
      /** Triggers answered 503 while the event's window lasted. */
      refused: z.number().int().nonnegative(),
      /** `reset` frames clients received in the window (a seq regression rotates the epoch). */
      clientResets: z.number().int().nonnegative(),
      /** Answered 202 before the event, absent from the surviving history: nobody can get them now. */
      acknowledgedLost: z.number().int().nonnegative().optional(),
      /** A few of them as publisher:n. */
      acknowledgedLostSamples: z.array(z.string()).max(20).optional(),
    })
    .optional(),
});
export type ChaosImpact = z.infer<typeof chaosImpactSchema>;

/** One phase of the trigger phase (steady, fault, recovery): what per-phase thresholds judge. */
export const phaseFiguresSchema = z.object({
  /** Time the phase covered, summed over its windows. */
  seconds: z.number().nonnegative(),
  triggers: z.object({
    sent: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  /** For the triggers accepted during the phase. */
  delivery: deliverySchema,
  /** Frames received during the phase. */
  fanout: latencySummarySchema,
});
export type PhaseFigures = z.infer<typeof phaseFiguresSchema>;

export const reportSchema = z.object({
  schema: z.literal(reportSchemaId),
  run: z.object({
    id: z.string(),
    profile: z.string(),
    engine: z.enum(["node", "k6"]),
    startedAt: z.string(),
    endedAt: z.string(),
    durationSeconds: z.number().nonnegative(),
    targets: z.array(z.object({ pod: z.string(), url: z.string() })),
    /** Whether clients resume after reconnect (hello.resume), as seen by the engine. */
    delivery: z.enum(["recover", "pubsub", "unknown"]),
    /** seq: the backend's global seq; publisher: per-publisher probe `n` (backends without a seq). */
    accounting: z.enum(["seq", "publisher"]),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    /**
     * The execution segment this report covers (k6 notation, e.g. "1/3:2/3"), when the run was split;
     * a merged report lists every segment it was made of.
     */
    segments: z.array(z.string()).optional(),
  }),
  overall: podFiguresSchema,
  pods: z.record(z.string(), podFiguresSchema),
  matrix: z.array(matrixCellSchema),
  timeSeries: z.array(timeSeriesPointSchema),
  events: z.array(runEventSchema),
  chaos: z.array(chaosImpactSchema),
  thresholds: z.array(thresholdResultSchema),
  validity: z.object({
    valid: z.boolean(),
    reasons: z.array(z.string()),
  }),
  /** Base64 HDR histograms (µs) so reports from several processes or k6 segments merge exactly. */
  histograms: z.object({
    fanout: z.string(),
    e2e: z.string(),
    reconnectTime: z.string().optional(),
    /** Per pod, for `crosspod report merge` (absent in reports written before it existed). */
    pods: z.record(z.string(), podHistogramsSchema).optional(),
  }),
  /**
   * Per phase, when the run had chaos (Node engine); a run without chaos is steady throughout, and
   * `{phase:steady}` thresholds judge its overall figures.
   */
  phases: z
    .object({
      steady: phaseFiguresSchema.optional(),
      fault: phaseFiguresSchema.optional(),
      recovery: phaseFiguresSchema.optional(),
    })
    .optional(),
  /** Present when the run sampled drift (a soak): slopes over the steady phase, fan-out p99 per window. */
  drift: driftSchema.optional(),
  /** Present when the run drove headless console pages (`--browsers N`): what the analysts would see. */
  browser: z
    .object({
      pages: z.number().int().nonnegative(),
      /** published_at → row attached in the page's DOM, per pod the pages were connected to (ms). */
      renderLatency: z.record(z.string(), latencySummarySchema),
      /** The browser's share: message received by the page → row attached, per pod (ms). */
      pageDelay: z.record(z.string(), latencySummarySchema),
      /** Console errors and uncaught exceptions in the pages, a few samples. */
      pageErrors: z.array(z.string()).max(20),
    })
    .optional(),
  /** Present when the run collected its spans (`--traces`): the slowest sampled threats, slowest first. */
  traces: z.array(threatTraceSchema).optional(),
});
export type Report = z.infer<typeof reportSchema>;
