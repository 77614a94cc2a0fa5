// Runs inside a bare JavaScript context (no Node globals, no require, no Buffer) after being bundled with
// esbuild for the neutral platform: it exercises lib/core as a k6 scenario would.
import { DeliveryChecker } from "../../lib/core/delivery-checker.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { profileOverridesFromEnv, resolveProfile } from "../../lib/core/profiles.js";
import { buildReport, PodRecorder, TimeSeriesRecorder } from "../../lib/core/run-recorder.js";
import { evaluateThresholds, parseThreshold } from "../../lib/core/thresholds.js";

export function run(): Record<string, unknown> {
  const recorder = new PodRecorder();
  const checker = new DeliveryChecker("seq");
  checker.connected(0, { seq: 0, resume: true });
  const verdicts = [1, 2, 4, 3, 3].map((seq) => checker.receive({ seq }, seq));
  for (let i = 1; i <= 1000; i++) recorder.fanout.recordMs(i / 10);
  recorder.e2e.recordMs(12.5);
  const published = [1, 2, 3, 4, 5].map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs: seq }));
  recorder.delivery = checker.finish(published);

  const encoded = recorder.fanout.encode();
  const decoded = LatencyHistogram.decode(encoded);
  const profile = resolveProfile("cross-pod-load", profileOverridesFromEnv({ CROSSPOD_DURATION: "1m" }));
  const timeSeries = new TimeSeriesRecorder(0);
  timeSeries.sample({ connections: 1, triggers: 5, framesPerSecond: 4, fanoutP99Ms: 99, errors: 0 }, 1000);
  const report = buildReport({
    run: {
      id: "neutral",
      profile: profile.name,
      engine: "k6",
      startedAt: "2025-01-01T00:00:00.000Z",
      endedAt: "2025-01-01T00:01:00.000Z",
      durationSeconds: 60,
      targets: [{ pod: "pod-a", url: "http://127.0.0.1:1" }],
      delivery: "recover",
      accounting: "seq",
      settings: {},
    },
    pods: { "pod-a": recorder },
    timeSeries: timeSeries.points(),
    events: [],
    thresholds: profile.thresholds,
  });
  return {
    verdicts,
    delivery: recorder.delivery,
    encodedPrefix: encoded.slice(0, 8),
    decodedP99: decoded.percentileMs(99),
    p99: recorder.fanout.percentileMs(99),
    durationSeconds: profile.durationSeconds,
    parsed: parseThreshold("p(99.9)<400"),
    thresholds: evaluateThresholds({ crosspod_lost: ["count==0"] }, report.overall).map((t) => t.ok),
    reportThresholds: report.thresholds.map((t) => `${t.metric} ${t.expression} ${t.ok}`),
    reportHistogram: LatencyHistogram.decode(report.histograms.fanout).count,
  };
}

/** Decodes a histogram encoded elsewhere, records 7 ms, and encodes it again from here. */
export function roundTrip(encoded: string): string {
  const histogram = LatencyHistogram.decode(encoded);
  histogram.recordMs(7);
  return histogram.encode();
}
