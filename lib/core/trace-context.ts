// W3C Trace Context `traceparent` values (https://www.w3.org/TR/trace-context/): read, written and minted
// without an SDK, so the k6 scenarios, the frame readers and the hot paths can carry a trace context for
// the cost of a string, and load OpenTelemetry only where tracing is on.

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const zeroTraceId = "0".repeat(32);
const zeroSpanId = "0".repeat(16);

/** The parts of a version-00 traceparent, or undefined when it is malformed or names the invalid ids. */
export function parseTraceparent(text: string): TraceParent | undefined {
  const match = traceparentPattern.exec(text);
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (traceId === zeroTraceId || spanId === zeroSpanId) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * The trace id of a traceparent the backend wrote (no validation: the hot paths read it once per frame
 * for an exemplar label, and a malformed one only makes a useless label).
 */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.sampled ? "01" : "00"}`;
}

/**
 * A new root context for a client that has no tracer (k6): fresh ids from `randomHex(digits)`, sampled
 * with probability `ratio` (0..1) by `random()`, as OpenTelemetry's trace-id-ratio sampler would decide.
 */
export function mintTraceparent(
  randomHex: (digits: number) => string,
  ratio: number,
  random: () => number,
): string {
  let traceId = randomHex(32);
  if (traceId === zeroTraceId) traceId = `${traceId.slice(0, 31)}1`;
  let spanId = randomHex(16);
  if (spanId === zeroSpanId) spanId = `${spanId.slice(0, 15)}1`;
  return formatTraceparent({ traceId, spanId, sampled: random() < ratio });
}
