// The pod's Prometheus metrics: an explicit registry per backend (so several pods can share a process
// in tests), the `pod` label on every series, names from lib/core/metric-names.ts.
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type OpenMetricsContentType,
  Registry,
} from "prom-client";
import { backendMetrics } from "../core/metric-names.js";
import { traceIdOf } from "../core/trace-context.js";

/** 0.1 ms to 5 s: loopback fan-out sits in the sub-millisecond buckets, backfill after outages in seconds. */
const fanoutBucketsSeconds = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export type BackfillReason = "gap" | "resume";

export interface BackendMetrics {
  registry: Registry<OpenMetricsContentType>;
  wsConnections: Gauge;
  published: Counter;
  delivered: Counter;
  fanoutSeconds: Histogram;
  /** Observes one fan-out time; a traced frame's trace id becomes the bucket's OpenMetrics exemplar. */
  observeFanout(seconds: number, traceparent: string | undefined): void;
  backfilled: Counter<"reason">;
  slowConsumerClosed: Counter;
  redisUp: Gauge;
  redisReceived: Counter;
  redisPrimary: Gauge<"address">;
  redisPrimaryChanges: Counter;
}

export function createBackendMetrics(pod: string): BackendMetrics {
  // OpenMetrics, the only exposition format with exemplars (Prometheus asks for it first when scraping).
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ pod });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const fanoutSeconds = new Histogram({
    name: backendMetrics.fanoutSeconds,
    help:
      "Time from publish (published_at, Redis clock) to the socket write: per frame at the write to the last " +
      "live client on this pod, per delivery for frames resumed from history. Exemplars: trace_id of traced frames.",
    buckets: fanoutBucketsSeconds,
    enableExemplars: true,
    registers,
  });
  const untraced = { value: 0 };
  const metrics: BackendMetrics = {
    registry,
    wsConnections: new Gauge({
      name: backendMetrics.wsConnections,
      help: "Open WebSocket connections on this pod.",
      registers,
    }),
    published: new Counter({
      name: backendMetrics.published,
      help: "Threats this pod published (triggers answered 202).",
      registers,
    }),
    delivered: new Counter({
      name: backendMetrics.delivered,
      help: "Threat frames written to client sockets, live and backfilled.",
      registers,
    }),
    fanoutSeconds,
    observeFanout(seconds, traceparent) {
      if (traceparent === undefined) {
        // One shared argument object: untraced frames allocate nothing here.
        untraced.value = seconds;
        fanoutSeconds.observe(untraced);
        return;
      }
      fanoutSeconds.observe({ value: seconds, exemplarLabels: { trace_id: traceIdOf(traceparent) } });
    },
    backfilled: new Counter({
      name: backendMetrics.backfilled,
      help: "Threat frames read from the history stream: to fill a pod's gap, or to resume a client.",
      labelNames: ["reason"],
      registers,
    }),
    slowConsumerClosed: new Counter({
      name: backendMetrics.slowConsumerClosed,
      help: "Clients closed with 1013 because their unsent backlog passed SLOW_CONSUMER_BYTES.",
      registers,
    }),
    redisUp: new Gauge({
      name: backendMetrics.redisUp,
      help: "1 while this pod's Redis connections are up and subscribed, else 0.",
      registers,
    }),
    redisReceived: new Counter({
      name: backendMetrics.redisReceived,
      help: "Threat frames this pod received from Redis Pub/Sub, before any gap handling.",
      registers,
    }),
    redisPrimary: new Gauge({
      name: backendMetrics.redisPrimary,
      help: "1 on the series of the Redis primary (host:port) this pod uses; no series while disconnected.",
      labelNames: ["address"],
      registers,
    }),
    redisPrimaryChanges: new Counter({
      name: backendMetrics.redisPrimaryChanges,
      help: "Times this pod resubscribed to a different Redis primary than before (followed a failover).",
      registers,
    }),
  };
  // Export both reasons from the start, so dashboards and rate() see a 0 rather than no series.
  for (const reason of ["gap", "resume"] satisfies BackfillReason[])
    metrics.backfilled.labels({ reason }).inc(0);
  return metrics;
}
