// The engine's side of a threat's trace, at the trigger: one client span per trigger (the root of the
// threat's trace, so the engine's sampler decides for the whole path) and its W3C traceparent on the
// trigger request, which the backend continues. Without a tracer nothing changes and nothing is allocated.
import type { TriggerReply, TriggerRequest } from "../core/adapters/protocol-adapter.js";
import type { Probe } from "../core/probe.js";
import type { SpanTracer, TracedSpan } from "../tracing/span-tracer.js";

export interface TracedTrigger {
  /** The request with the span's traceparent header added. */
  request: TriggerRequest;
  /** Ends the span with what the backend answered, or why the request failed. */
  end(outcome: { reply: TriggerReply } | { error: string }): void;
}

export function traceTrigger(
  tracer: SpanTracer,
  pod: string,
  probe: Probe,
  request: TriggerRequest,
): TracedTrigger {
  const span: TracedSpan = tracer.startSpan("trigger threat", {
    role: "client",
    startMs: probe.t,
    attributes: {
      "crosspod.pod": pod,
      "crosspod.probe.publisher": probe.publisher,
      "crosspod.probe.n": probe.n,
      "http.request.method": request.method,
      "url.full": request.url,
    },
  });
  return {
    request: { ...request, headers: { ...request.headers, traceparent: span.traceparent } },
    end(outcome) {
      if ("error" in outcome) {
        span.fail(outcome.error);
      } else if (outcome.reply.accepted) {
        if (outcome.reply.seq !== undefined) span.setAttributes({ "crosspod.seq": outcome.reply.seq });
      } else {
        span.fail(outcome.reply.cause);
      }
      span.end();
    },
  };
}
