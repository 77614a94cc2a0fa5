import { describe, expect, it } from "vitest";
import { TraceSamplerError } from "../../lib/core/trace-sampler-error.js";
import { otlpTracingRequested, rootSampleRatio } from "../../lib/core/trace-sampling.js";

describe("OpenTelemetry sampling settings without an SDK", () => {
  it("asks for tracing only with an endpoint, unless disabled", () => {
    expect(otlpTracingRequested({})).toBe(false);
    expect(otlpTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://j:4318" })).toBe(true);
    expect(otlpTracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://j:4318/v1/traces" })).toBe(
      true,
    );
    expect(otlpTracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://j", OTEL_SDK_DISABLED: "TRUE" })).toBe(
      false,
    );
  });

  it("reads the root sampling ratio the way the SDK's samplers decide a root span", () => {
    expect(rootSampleRatio({})).toBe(1);
    expect(rootSampleRatio({ OTEL_TRACES_SAMPLER: "always_off" })).toBe(0);
    expect(rootSampleRatio({ OTEL_TRACES_SAMPLER: "traceidratio" })).toBe(1);
    expect(
      rootSampleRatio({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.01" }),
    ).toBe(0.01);
  });

  it("names the variable it cannot read", () => {
    expect(() =>
      rootSampleRatio({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" }),
    ).toThrow(/^OTEL_TRACES_SAMPLER_ARG: expected a probability from 0 to 1 \(got "2"\)$/);
    expect(() => rootSampleRatio({ OTEL_TRACES_SAMPLER: "jaeger_remote" })).toThrow(TraceSamplerError);
  });
});
