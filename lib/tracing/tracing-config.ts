// Whether and how a process traces, read from the standard OpenTelemetry variables only
// (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Plain data and no
// OpenTelemetry import: a process with tracing off must not load the SDK at all.
import { CrosspodError } from "../core/crosspod-error.js";
import { otelTracingDisabled, otlpTracingRequested } from "../core/trace-sampling.js";

export type OtlpProtocol = "http/protobuf" | "http/json";

export interface TracingConfig {
  /** Export to the endpoint the OTEL_EXPORTER_OTLP_* variables name (the exporter reads them itself). */
  otlpEndpoint: boolean;
  protocol: OtlpProtocol;
  /**
   * crosspod's own loopback receiver (`crosspod run --traces`): spans also go here, always as OTLP/JSON,
   * whatever the user's endpoint and protocol are.
   */
  collectorUrl: string | undefined;
}

export class TracingConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_TRACING_CONFIG";
  override readonly kind = "usage";
  constructor(
    message: string,
    /** The variable to change. */
    readonly variable: string,
  ) {
    super(message);
  }
}

/** Set by `crosspod run --traces` on the pods: the full URL of its OTLP/HTTP JSON receiver (…/v1/traces). */
export const collectorUrlVariable = "CROSSPOD_TRACES_URL";

const protocols: readonly string[] = ["http/protobuf", "http/json"] satisfies OtlpProtocol[];

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/** The tracing settings of `env`, or undefined when tracing is off (nothing to export to, or disabled). */
export function tracingConfigFromEnv(env: Record<string, string | undefined>): TracingConfig | undefined {
  if (otelTracingDisabled(env)) return undefined;
  const otlpEndpoint = otlpTracingRequested(env);
  const collectorUrl = nonEmpty(env[collectorUrlVariable]);
  if (!otlpEndpoint && collectorUrl === undefined) return undefined;
  const variable =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) !== undefined
      ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
      : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = nonEmpty(env[variable]) ?? "http/protobuf";
  if (!protocols.includes(protocol)) {
    throw new TracingConfigError(
      `${variable}: ${JSON.stringify(protocol)} is not supported; use http/protobuf or http/json`,
      variable,
    );
  }
  if (collectorUrl !== undefined && !/^http:\/\/\S+$/.test(collectorUrl)) {
    throw new TracingConfigError(
      `${collectorUrlVariable}: expected an http:// URL (got ${JSON.stringify(collectorUrl)})`,
      collectorUrlVariable,
    );
  }
  return { otlpEndpoint, protocol: protocol as OtlpProtocol, collectorUrl };
}
