// Prometheus histograms and counters for what browsers report through Faro, on one explicit registry.
// Measurements arrive in milliseconds (Faro's convention) and are exported in seconds.
import { Counter, Histogram, Registry } from "prom-client";
import type { FaroMeasurement, FaroPayload } from "./faro-payload.js";

export const browserMetricNames = {
  renderLatencySeconds: "crosspod_browser_render_latency_seconds",
  wsReconnectSeconds: "crosspod_browser_ws_reconnect_seconds",
  webVitalSeconds: "crosspod_browser_web_vital_seconds",
  acceptedPayloads: "crosspod_browser_accepted_payloads_total",
  rejectedPayloads: "crosspod_browser_rejected_payloads_total",
  exceptions: "crosspod_browser_exceptions_total",
} as const;

/** Measurement types the console pushes; each carries its value under the same key, in ms. */
export const consoleMeasurementTypes = {
  renderLatency: "threat_render_latency",
  wsReconnect: "ws_reconnect_duration",
} as const;

export type RejectReason =
  | "too_large"
  | "content_type"
  | "json"
  | "schema"
  | "rate_limit"
  | "method"
  | "origin";

// CLS is a unitless score, so only the time-valued vitals belong in a _seconds histogram.
const timedWebVitals = new Set(["fcp", "lcp", "inp", "ttfb"]);
const podLabelPattern = /^[A-Za-z0-9_.:-]{1,64}$/;
// Pod names come from the browser, so the label set is bounded: past this many, new names count as "other".
const maxPodLabels = 64;

export interface BrowserMetrics {
  registry: Registry;
  record(payload: FaroPayload): void;
  reject(reason: RejectReason): void;
}

export function createBrowserMetrics(): BrowserMetrics {
  const registry = new Registry();
  const renderLatency = new Histogram({
    name: browserMetricNames.renderLatencySeconds,
    help: "Threat published_at to its row attached in a console page's DOM, as measured in the browser",
    labelNames: ["pod"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const wsReconnect = new Histogram({
    name: browserMetricNames.wsReconnectSeconds,
    help: "Console WebSocket closed to the next hello frame, as measured in the browser",
    labelNames: ["pod"],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const webVital = new Histogram({
    name: browserMetricNames.webVitalSeconds,
    help: "Time-valued web vitals (fcp, lcp, inp, ttfb) reported by console pages",
    labelNames: ["name"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers: [registry],
  });
  const accepted = new Counter({
    name: browserMetricNames.acceptedPayloads,
    help: "Faro payloads accepted by the collector",
    registers: [registry],
  });
  const rejected = new Counter({
    name: browserMetricNames.rejectedPayloads,
    help: "Faro payloads rejected by the collector, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  const exceptions = new Counter({
    name: browserMetricNames.exceptions,
    help: "Exceptions reported by console pages",
    labelNames: ["pod"],
    registers: [registry],
  });

  const seenPods = new Set<string>();
  const podLabel = (payload: FaroPayload, context: Record<string, string> | undefined): string => {
    const raw = context?.pod ?? payload.meta.page?.attributes?.pod;
    if (raw === undefined || !podLabelPattern.test(raw)) return "unknown";
    if (seenPods.has(raw)) return raw;
    if (seenPods.size >= maxPodLabels) return "other";
    seenPods.add(raw);
    return raw;
  };

  const recordMeasurement = (payload: FaroPayload, measurement: FaroMeasurement) => {
    const { type, values, context } = measurement;
    if (type === consoleMeasurementTypes.renderLatency || type === consoleMeasurementTypes.wsReconnect) {
      const ms = values[type];
      if (ms === undefined || ms < 0) return;
      const histogram = type === consoleMeasurementTypes.renderLatency ? renderLatency : wsReconnect;
      histogram.observe({ pod: podLabel(payload, context) }, ms / 1000);
      return;
    }
    if (type === "web-vitals") {
      for (const [name, ms] of Object.entries(values)) {
        if (timedWebVitals.has(name) && ms >= 0) webVital.observe({ name }, ms / 1000);
      }
    }
  };

  return {
    registry,
    record(payload) {
      accepted.inc();
      for (const measurement of payload.measurements ?? []) recordMeasurement(payload, measurement);
      for (const exception of payload.exceptions ?? []) {
        exceptions.inc({ pod: podLabel(payload, exception.context) });
      }
    },
    reject(reason) {
      rejected.inc({ reason });
    },
  };
}
