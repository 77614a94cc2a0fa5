// Tracing for `crosspod run`: the engine's tracer from the standard OTEL_* variables (the local cluster's
// pods inherit them), and with --traces crosspod's own OTLP receiver on loopback, which the engine and
// the pods export to as well, so the report can name and draw the slowest sampled threats without Jaeger.
import { type OtlpReceiver, startOtlpReceiver } from "../cluster/otlp-receiver.js";
import { slowestThreats, type ThreatTrace } from "../core/threat-traces.js";
import { loadSpanTracer } from "../tracing/load-span-tracer.js";
import type { SpanTracer } from "../tracing/span-tracer.js";
import { collectorUrlVariable, tracingConfigFromEnv } from "../tracing/tracing-config.js";

export interface RunTracing {
  /** The engine's tracer; undefined when tracing is off. */
  tracer: SpanTracer | undefined;
  /** Extra environment for a local cluster's pods. */
  podEnv: Record<string, string>;
  /** The receiver's traces URL with --traces. */
  collectorUrl: string | undefined;
  /**
   * With --traces: flushes the engine's spans, waits until the pods' have arrived (no new span for a
   * while, bounded), and returns the slowest threats; undefined without --traces.
   */
  slowestThreats(): Promise<ThreatTrace[] | undefined>;
  close(): Promise<void>;
}

/** Threats listed in the report. */
const reportedThreats = 5;
/** Pods export every 500 ms under --traces; a second with no new span means they have all arrived. */
const podScheduleDelayMs = "500";
const quietMs = 1_500;
const maxSettleMs = 10_000;
/** An unreachable OTLP endpoint must not hold crosspod after the run: the exporter's own timeout is 10 s. */
const shutdownTimeoutMs = 3_000;

export async function startRunTracing(
  collect: boolean,
  env: Record<string, string | undefined>,
): Promise<RunTracing> {
  const receiver: OtlpReceiver | undefined = collect ? await startOtlpReceiver() : undefined;
  const collectorEnv: Record<string, string> = receiver ? { [collectorUrlVariable]: receiver.tracesUrl } : {};
  let tracer: SpanTracer | undefined;
  try {
    // A bad OTEL_* value is a TracingConfigError naming the variable: a usage error (exit 2).
    tracer = await loadSpanTracer(tracingConfigFromEnv({ ...env, ...collectorEnv }), {
      serviceName: "crosspod-engine",
    });
  } catch (error) {
    await receiver?.close();
    throw error;
  }
  const podEnv: Record<string, string> = { ...collectorEnv };
  if (receiver && !env.OTEL_BSP_SCHEDULE_DELAY) podEnv.OTEL_BSP_SCHEDULE_DELAY = podScheduleDelayMs;
  let closed = false;
  return {
    tracer,
    podEnv,
    collectorUrl: receiver?.tracesUrl,
    async slowestThreats() {
      if (receiver === undefined) return undefined;
      await shutdownWithin(tracer);
      await settled(receiver);
      return slowestThreats(receiver.spans, reportedThreats);
    },
    async close() {
      if (closed) return;
      closed = true;
      await shutdownWithin(tracer);
      await receiver?.close();
    },
  };
}

/** Flushes and stops the tracer, giving up after shutdownTimeoutMs. */
async function shutdownWithin(tracer: SpanTracer | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, shutdownTimeoutMs);
  });
  await Promise.race([tracer?.shutdown(), timedOut]);
  clearTimeout(timer);
}

/** Resolves once `quietMs` pass without a new span, or after `maxSettleMs`. */
function settled(receiver: OtlpReceiver): Promise<void> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let lastSpanAt = Date.now();
    receiver.onSpans(() => {
      lastSpanAt = Date.now();
    });
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - lastSpanAt >= quietMs || now - startedAt >= maxSettleMs) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
}
