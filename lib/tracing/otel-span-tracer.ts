// SpanTracer on the OpenTelemetry JS SDK: a BasicTracerProvider (sampler from OTEL_TRACES_SAMPLER[_ARG]),
// the resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over the process's defaults, and batch
// export over OTLP/HTTP (protobuf or JSON, endpoint from the OTEL_EXPORTER_OTLP_* variables, which the
// exporters read themselves). Every OpenTelemetry module is imported dynamically, here and only here:
// the CLI bundle keeps packages external, and a static import would load the SDK with tracing off.
import type { Attributes, Context, Link, SpanContext, SpanKind } from "@opentelemetry/api";
import type { Span, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { parseTraceparent } from "../core/trace-context.js";
import type { ProcessIdentity, SpanRole, SpanTracer, StartSpanOptions, TracedSpan } from "./span-tracer.js";
import type { TracingConfig } from "./tracing-config.js";

const roleKinds: Record<SpanRole, number> = {
  // SpanKind's numeric values, so the hot path needs no enum import.
  internal: 0,
  server: 1,
  client: 2,
  producer: 3,
  consumer: 4,
};

export async function startOtelSpanTracer(
  config: TracingConfig,
  identity: ProcessIdentity,
): Promise<SpanTracer> {
  const [api, sdk, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/resources"),
  ]);
  const exporters: SpanExporter[] = [];
  if (config.otlpEndpoint) {
    const { OTLPTraceExporter } =
      config.protocol === "http/json"
        ? await import("@opentelemetry/exporter-trace-otlp-http")
        : await import("@opentelemetry/exporter-trace-otlp-proto");
    exporters.push(new OTLPTraceExporter());
  }
  if (config.collectorUrl !== undefined) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    exporters.push(new OTLPTraceExporter({ url: config.collectorUrl }));
  }
  const defaults: Attributes = { "service.name": identity.serviceName };
  if (identity.instanceId !== undefined) defaults["service.instance.id"] = identity.instanceId;
  const resource = resources
    .resourceFromAttributes(defaults)
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.BasicTracerProvider({
    resource,
    spanProcessors: exporters.map((exporter) => new sdk.BatchSpanProcessor(exporter)),
  });
  const tracer = provider.getTracer("crosspod");

  function contextOf(traceparent: string | undefined): Context {
    const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent);
    if (parent === undefined) return api.ROOT_CONTEXT;
    return api.trace.setSpanContext(api.ROOT_CONTEXT, spanContextOf(parent));
  }

  function linkOf(traceparent: string): Link[] {
    const parent = parseTraceparent(traceparent);
    return parent === undefined ? [] : [{ context: spanContextOf(parent) }];
  }

  return {
    startSpan(name: string, options: StartSpanOptions = {}): TracedSpan {
      const span = tracer.startSpan(
        name,
        {
          kind: roleKinds[options.role ?? "internal"] as SpanKind,
          ...(options.startMs === undefined ? {} : { startTime: options.startMs }),
          ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
          ...(options.links === undefined ? {} : { links: options.links.flatMap(linkOf) }),
        },
        contextOf(options.parent),
      ) as Span;
      return tracedSpan(span, api.SpanStatusCode.ERROR);
    },
    shutdown: () => provider.shutdown(),
  };
}

function spanContextOf(parent: { traceId: string; spanId: string; sampled: boolean }): SpanContext {
  return {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.sampled ? 1 : 0,
    isRemote: true,
  };
}

function tracedSpan(span: Span, errorStatus: number): TracedSpan {
  const context = span.spanContext();
  const sampled = (context.traceFlags & 1) === 1;
  return {
    traceparent: `00-${context.traceId}-${context.spanId}-${sampled ? "01" : "00"}`,
    sampled,
    setAttributes: (attributes) => void span.setAttributes(attributes),
    fail: (message) => void span.setStatus({ code: errorStatus, message }),
    end: (endMs) => span.end(endMs),
  };
}
