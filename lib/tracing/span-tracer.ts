// The small tracing surface the backend and the engine use: start a span under a traceparent, read the
// span's own traceparent, end it at a given time. Its one implementation (otel-span-tracer.ts) is loaded
// only when tracing is on, so code that holds a SpanTracer never pulls OpenTelemetry in by itself.

export type TraceAttributes = Record<string, string | number | boolean>;

export type SpanRole = "internal" | "server" | "client" | "producer" | "consumer";

export interface StartSpanOptions {
  /** The parent's W3C traceparent; without one the span starts a new trace (and the sampler decides). */
  parent?: string | undefined;
  role?: SpanRole;
  /** Epoch milliseconds; default now. */
  startMs?: number;
  attributes?: TraceAttributes;
  /** Traceparents of spans this one relates to without being their child (a resume links to the publish). */
  links?: readonly string[];
}

export interface TracedSpan {
  /** This span's context as a traceparent, to hand to children in other processes. */
  readonly traceparent: string;
  readonly sampled: boolean;
  setAttributes(attributes: TraceAttributes): void;
  fail(message: string): void;
  /** `endMs`: epoch milliseconds; default now. */
  end(endMs?: number): void;
}

export interface SpanTracer {
  startSpan(name: string, options?: StartSpanOptions): TracedSpan;
  /** Exports what is buffered and stops; later spans are dropped. */
  shutdown(): Promise<void>;
}

export interface ProcessIdentity {
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  serviceName: string;
  /** service.instance.id unless OTEL_RESOURCE_ATTRIBUTES says otherwise (a pod's name). */
  instanceId?: string;
}
