// The standard OpenTelemetry variables read without an SDK (runtime-neutral): whether a process is asked
// to trace at all, and the share of new traces the configured sampler keeps. The k6 scenarios mint their
// own traceparent with it; Node processes hand the same variables to the SDK.
import { TraceSamplerError } from "./trace-sampler-error.js";

function set(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/** OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: no tracing, whatever else is set. */
export function otelTracingDisabled(env: Record<string, string | undefined>): boolean {
  return (
    set(env.OTEL_SDK_DISABLED)?.toLowerCase() === "true" ||
    set(env.OTEL_TRACES_EXPORTER)?.toLowerCase() === "none"
  );
}

/** True when an OTLP traces endpoint is configured and tracing is not disabled. */
export function otlpTracingRequested(env: Record<string, string | undefined>): boolean {
  if (otelTracingDisabled(env)) return false;
  return (
    set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined ||
    set(env.OTEL_EXPORTER_OTLP_ENDPOINT) !== undefined
  );
}

/**
 * The probability that a new root trace is sampled under OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG
 * (a parent-based sampler decides a root like its root sampler). Default parentbased_always_on: 1.
 */
export function rootSampleRatio(env: Record<string, string | undefined>): number {
  const sampler = set(env.OTEL_TRACES_SAMPLER) ?? "parentbased_always_on";
  switch (sampler) {
    case "always_on":
    case "parentbased_always_on":
      return 1;
    case "always_off":
    case "parentbased_always_off":
      return 0;
    case "traceidratio":
    case "parentbased_traceidratio": {
      const text = set(env.OTEL_TRACES_SAMPLER_ARG);
      if (text === undefined) return 1;
      const ratio = Number(text);
      if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
        throw new TraceSamplerError(
          `OTEL_TRACES_SAMPLER_ARG: expected a probability from 0 to 1 (got ${JSON.stringify(text)})`,
        );
      }
      return ratio;
    }
    default:
      throw new TraceSamplerError(
        `OTEL_TRACES_SAMPLER: ${JSON.stringify(sampler)} is not supported here; use always_on, always_off, traceidratio or their parentbased_ forms`,
      );
  }
}
