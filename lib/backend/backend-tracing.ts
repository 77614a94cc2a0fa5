// What the pod records in a threat's trace: the trigger's HTTP span (continuing the caller's traceparent),
// the publish span around the Lua script (its context travels inside the frame, through Redis pub/sub and
// the history stream), one delivery span per pod per sampled frame, and one resume span per client resumed
// from history, linked to the traces of the frames it replayed. With tracing off every call is a no-op on
// shared constants: no allocation per trigger or per frame.
import type { IncomingMessage } from "node:http";
import type { SpanTracer, TracedSpan } from "../tracing/span-tracer.js";
import { HttpError } from "./http-error.js";
import type { PublishResult } from "./redis-bus.js";

export interface TriggerTrace {
  /**
   * Runs the publish inside a producer span. `work` gets the traceparent to store in the frame, only
   * when the trace is sampled: an unsampled context would only add bytes to every frame.
   */
  publish(work: (traceparent: string | undefined) => Promise<PublishResult>): Promise<PublishResult>;
  /** Ends the HTTP span with the response's status, or the error that decided it. */
  end(statusCode: number, error?: unknown): void;
}

/** One pod's fan-out of one frame: what its delivery span records. */
export interface DeliveryFigures {
  seq: number;
  /** Epoch ms when the pod began writing the frame to its clients. */
  startMs: number;
  clientsWritten: number;
  bytesWritten: number;
  /** Writes that joined a socket already corked in this event-loop turn (sent in one syscall). */
  coalescedWrites: number;
  /** Clients closed as slow consumers instead of being written to. */
  slowConsumersSkipped: number;
}

export interface BackendTracing {
  startTrigger(req: IncomingMessage): TriggerTrace;
  delivery(traceparent: string, figures: DeliveryFigures): void;
  /** A client brought live from history: `links` are the traceparents of the sampled frames replayed. */
  resume(links: readonly string[], frames: number, startMs: number): void;
  shutdown(): Promise<void>;
}

const untracedTrigger: TriggerTrace = {
  publish: (work) => work(undefined),
  end() {},
};

export const backendTracingOff: BackendTracing = {
  startTrigger: () => untracedTrigger,
  delivery() {},
  resume() {},
  shutdown: () => Promise.resolve(),
};

export function backendTracing(tracer: SpanTracer, podName: string): BackendTracing {
  return {
    startTrigger(req) {
      const header = req.headers.traceparent;
      const http = tracer.startSpan("POST /api/threats/trigger", {
        parent: typeof header === "string" ? header : undefined,
        role: "server",
        attributes: {
          "http.request.method": "POST",
          "http.route": "/api/threats/trigger",
          "crosspod.pod": podName,
        },
      });
      return triggerTrace(tracer, http, podName);
    },
    delivery(traceparent, figures) {
      tracer
        .startSpan("deliver threat", {
          parent: traceparent,
          role: "consumer",
          startMs: figures.startMs,
          attributes: {
            "crosspod.pod": podName,
            "crosspod.seq": figures.seq,
            "crosspod.clients_written": figures.clientsWritten,
            "crosspod.bytes_written": figures.bytesWritten,
            "crosspod.coalesced_writes": figures.coalescedWrites,
            "crosspod.slow_consumers_skipped": figures.slowConsumersSkipped,
          },
        })
        .end();
    },
    resume(links, frames, startMs) {
      tracer
        .startSpan("resume client", {
          links,
          startMs,
          attributes: { "crosspod.pod": podName, "crosspod.frames_replayed": frames },
        })
        .end();
    },
    shutdown: () => tracer.shutdown(),
  };
}

function triggerTrace(tracer: SpanTracer, http: TracedSpan, podName: string): TriggerTrace {
  return {
    async publish(work) {
      const span = tracer.startSpan("publish threats", {
        parent: http.traceparent,
        role: "producer",
        attributes: { "messaging.system": "redis", "crosspod.pod": podName },
      });
      try {
        const published = await work(span.sampled ? span.traceparent : undefined);
        span.setAttributes({ "crosspod.seq": published.seq });
        return published;
      } catch (error) {
        span.fail(error instanceof Error ? error.message : String(error));
        throw error;
      } finally {
        span.end();
      }
    },
    end(statusCode, error) {
      const status = error === undefined ? statusCode : error instanceof HttpError ? error.status : 500;
      http.setAttributes({ "http.response.status_code": status });
      if (status >= 500) http.fail(error instanceof Error ? error.message : `HTTP ${status}`);
      http.end();
    },
  };
}
