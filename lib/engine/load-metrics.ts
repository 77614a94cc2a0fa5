// The load side's Prometheus metrics, in their own Registry, labelled {run, pod}: what a client saw,
// so Prometheus can scrape a run live next to the backend's own view of the same traffic.
import { Counter, Gauge, type OpenMetricsContentType, Registry } from "prom-client";
import { loadMetrics } from "../core/metric-names.js";
import { BucketHistogramMetric, type HistogramSeries } from "./bucket-histogram-metric.js";

/** Live totals per delivering pod, read when /metrics is scraped. */
export interface PodCounts {
  pod: string;
  framesReceived: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  reconnects: number;
  connections: number;
}

const latencyBucketsSeconds = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const reconnectBucketsSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
/** Fewer buckets per origin -> pod pair: the pairs grow with pods squared. 0.25 is the default budget. */
const matrixBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

export class LoadMetrics {
  readonly registry = openMetricsRegistry();
  private readonly fanout = new BucketHistogramMetric(
    `${loadMetrics.fanoutLatency}_seconds`,
    "Fan-out latency seen by clients: receive time minus the backend's published_at",
    latencyBucketsSeconds,
  );
  private readonly e2e = new BucketHistogramMetric(
    `${loadMetrics.e2eLatency}_seconds`,
    "End-to-end latency seen by clients: receive time minus the probe's send time",
    latencyBucketsSeconds,
  );
  private readonly reconnectTime = new BucketHistogramMetric(
    `${loadMetrics.reconnectTime}_seconds`,
    "Time from a client's disconnect to the hello frame of its next connection",
    reconnectBucketsSeconds,
  );
  private readonly originFanout = new BucketHistogramMetric(
    `${loadMetrics.originFanoutLatency}_seconds`,
    "Fan-out latency seen by clients, by the pod that took the trigger (origin) and the delivering pod",
    matrixBucketsSeconds,
  );
  private readonly chaosEvents: Counter<"action" | "target">;
  private readonly chaosEventTimes: Gauge<"action" | "target">;

  constructor(runId: string, readCounts: () => Iterable<PodCounts>) {
    this.registry.setDefaultLabels({ run: runId });
    for (const metric of [this.fanout, this.e2e, this.reconnectTime, this.originFanout]) {
      this.registry.registerMetric(metric.asMetric());
    }
    const counter = (name: string, help: string, pick: (counts: PodCounts) => number) =>
      new Counter({
        name,
        help,
        labelNames: ["pod"],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const counts of readCounts()) this.inc({ pod: counts.pod }, pick(counts));
        },
      });
    counter(
      `${loadMetrics.framesReceived}_total`,
      "Threat frames received by clients",
      (c) => c.framesReceived,
    );
    counter(`${loadMetrics.lost}_total`, "Frames expected while connected and never received", (c) => c.lost);
    counter(
      `${loadMetrics.duplicates}_total`,
      "Frames received twice on one connection",
      (c) => c.duplicates,
    );
    counter(
      `${loadMetrics.outOfOrder}_total`,
      "Frames received after a higher seq on one connection",
      (c) => c.outOfOrder,
    );
    counter(
      `${loadMetrics.reconnects}_total`,
      "Successful reconnects after a disconnect",
      (c) => c.reconnects,
    );
    new Gauge({
      name: loadMetrics.connections,
      help: "Open client connections (hello received)",
      labelNames: ["pod"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const counts of readCounts()) this.set({ pod: counts.pod }, counts.connections);
      },
    });
    this.chaosEvents = new Counter({
      name: `${loadMetrics.chaosEvents}_total`,
      help: "Chaos actions applied during the run",
      labelNames: ["action", "target"],
      registers: [this.registry],
    });
    this.chaosEventTimes = new Gauge({
      name: loadMetrics.chaosEventTimestamp,
      help: "Unix time of the latest chaos action per action and target, for dashboard annotations",
      labelNames: ["action", "target"],
      registers: [this.registry],
    });
  }

  fanoutSeries(pod: string): HistogramSeries {
    return this.fanout.series({ pod });
  }

  e2eSeries(pod: string): HistogramSeries {
    return this.e2e.series({ pod });
  }

  originFanoutSeries(origin: string, pod: string): HistogramSeries {
    return this.originFanout.series({ origin, pod });
  }

  reconnectTimeSeries(pod: string): HistogramSeries {
    return this.reconnectTime.series({ pod });
  }

  recordChaosEvent(action: string, target: string, atMs: number = Date.now()): void {
    this.chaosEvents.inc({ action, target });
    this.chaosEventTimes.set({ action, target }, atMs / 1000);
  }
}

/** OpenMetrics, the only exposition format with exemplars (Prometheus asks for it first when scraping). */
function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}
