// Names of the custom metrics a k6 run emits, apart from their k6 objects so plain code (options,
// tests) can read them without importing k6 modules.
import { loadMetrics } from "../../lib/core/metric-names.js";

/** Missed while disconnected: k6's name for the report's missedWhileDisconnected (also a core threshold metric). */
export const missedMetricName = "crosspod_missed";

/** Thresholds on any other metric (crosspod_delivery) are judged only in the report. */
export const k6MetricNames: readonly string[] = [
  loadMetrics.fanoutLatency,
  loadMetrics.e2eLatency,
  loadMetrics.reconnectTime,
  loadMetrics.framesReceived,
  loadMetrics.lost,
  loadMetrics.duplicates,
  loadMetrics.outOfOrder,
  missedMetricName,
  loadMetrics.reconnects,
  loadMetrics.connections,
];
