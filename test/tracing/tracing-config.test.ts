import { describe, expect, it } from "vitest";
import { TracingConfigError, tracingConfigFromEnv } from "../../lib/tracing/tracing-config.js";

describe("tracing configuration from the standard OTEL variables", () => {
  it("is off without an endpoint, with an empty one, or when disabled", () => {
    expect(tracingConfigFromEnv({})).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBeUndefined();
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318", OTEL_SDK_DISABLED: "true" }),
    ).toBeUndefined();
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318", OTEL_TRACES_EXPORTER: "none" }),
    ).toBeUndefined();
  });

  it("turns on for the generic or the traces endpoint, protobuf unless a protocol says JSON", () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318" })).toEqual({
      otlpEndpoint: true,
      protocol: "http/protobuf",
      collectorUrl: undefined,
    });
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://x:4318/v1/traces",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }),
    ).toMatchObject({ otlpEndpoint: true, protocol: "http/json" });
  });

  it("turns on for crosspod's own receiver alone", () => {
    expect(tracingConfigFromEnv({ CROSSPOD_TRACES_URL: "http://127.0.0.1:9/v1/traces" })).toEqual({
      otlpEndpoint: false,
      protocol: "http/protobuf",
      collectorUrl: "http://127.0.0.1:9/v1/traces",
    });
  });

  it("names the variable of an unsupported protocol or a bad receiver URL", () => {
    const grpc = () =>
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      });
    expect(grpc).toThrow(TracingConfigError);
    expect(grpc).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported; use http\/protobuf or http\/json/,
    );
    expect(() => tracingConfigFromEnv({ CROSSPOD_TRACES_URL: "ftp://x" })).toThrow(/^CROSSPOD_TRACES_URL: /);
  });
});
