// Grafana Faro RUM for the console: web vitals, errors and console errors from the SDK, plus the console's
// own measurements threat_render_latency and ws_reconnect_duration (ms, tagged with the pod). With no
// collector URL nothing is initialised and every call is a no-op.
import { type Faro, getWebInstrumentations, initializeFaro } from "@grafana/faro-web-sdk";

export interface ConsoleTelemetry {
  readonly enabled: boolean;
  setPod(pod: string): void;
  renderLatency(pod: string, origin: string, latencyMs: number): void;
  reconnectDuration(pod: string, durationMs: number): void;
}

// Above this many render samples per second a page sends a sample, not every row: Faro batches 50 items a
// request, and thousands of rows a second from several pages would load the collector more than the feed.
const maxRenderSamplesPerSecond = 100;

const disabled: ConsoleTelemetry = {
  enabled: false,
  setPod() {},
  renderLatency() {},
  reconnectDuration() {},
};

export function startTelemetry(collectorUrl: string | undefined): ConsoleTelemetry {
  if (collectorUrl === undefined) return disabled;
  const faro: Faro = initializeFaro({
    url: collectorUrl,
    app: { name: "crosspod-console" },
    // Resource timings per request add volume without saying anything about the feed.
    instrumentations: getWebInstrumentations({ enablePerformanceInstrumentation: false }),
  });
  let windowStartedAt = 0;
  let samplesInWindow = 0;

  return {
    enabled: true,
    setPod(pod) {
      const page = faro.api.getPage();
      faro.api.setPage({ ...page, attributes: { ...page?.attributes, pod } });
    },
    renderLatency(pod, origin, latencyMs) {
      const now = performance.now();
      if (now - windowStartedAt >= 1000) {
        windowStartedAt = now;
        samplesInWindow = 0;
      }
      if (samplesInWindow >= maxRenderSamplesPerSecond) return;
      samplesInWindow += 1;
      faro.api.pushMeasurement(
        { type: "threat_render_latency", values: { threat_render_latency: latencyMs } },
        { context: { pod, origin }, skipDedupe: true },
      );
    },
    reconnectDuration(pod, durationMs) {
      faro.api.pushMeasurement(
        { type: "ws_reconnect_duration", values: { ws_reconnect_duration: durationMs } },
        { context: { pod }, skipDedupe: true },
      );
    },
  };
}
