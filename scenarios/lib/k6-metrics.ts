// The k6 custom metrics of a crosspod run, named as in DESIGN.md ("Metric names") so thresholds, the
// Prometheus remote-write output and the recording rules see the same series from k6 as from the Node engine.
// Latencies are Trends with isTime (milliseconds); every sample is tagged with the pod that delivered it.
import { Counter, Gauge, Trend } from "k6/metrics";
import { loadMetrics } from "../../lib/core/metric-names.js";
import { missedMetricName } from "./k6-metric-names.js";

export interface RunMetrics {
  fanout: Trend;
  e2e: Trend;
  reconnectTime: Trend;
  frames: Counter;
  lost: Counter;
  duplicates: Counter;
  outOfOrder: Counter;
  missed: Counter;
  reconnects: Counter;
  connections: Gauge;
}

/** Init context only: k6 refuses to create metrics once VUs run. */
export function createRunMetrics(): RunMetrics {
  return {
    fanout: new Trend(loadMetrics.fanoutLatency, true),
    e2e: new Trend(loadMetrics.e2eLatency, true),
    reconnectTime: new Trend(loadMetrics.reconnectTime, true),
    frames: new Counter(loadMetrics.framesReceived),
    lost: new Counter(loadMetrics.lost),
    duplicates: new Counter(loadMetrics.duplicates),
    outOfOrder: new Counter(loadMetrics.outOfOrder),
    missed: new Counter(missedMetricName),
    reconnects: new Counter(loadMetrics.reconnects),
    connections: new Gauge(loadMetrics.connections),
  };
}
