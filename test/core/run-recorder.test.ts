import { describe, expect, it } from "vitest";
import { DeliveryChecker } from "../../lib/core/delivery-checker.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { renderJsonReport } from "../../lib/core/report-json.js";
import { type Report, reportSchema } from "../../lib/core/report-model.js";
import { buildReport, PodRecorder, TimeSeriesRecorder } from "../../lib/core/run-recorder.js";

const run: Report["run"] = {
  id: "run-1",
  profile: "cross-pod-load",
  engine: "node",
  startedAt: "2025-01-01T00:00:00.000Z",
  endedAt: "2025-01-01T00:00:38.000Z",
  durationSeconds: 38,
  targets: [
    { pod: "pod-a", url: "http://127.0.0.1:1" },
    { pod: "pod-b", url: "http://127.0.0.1:2" },
  ],
  delivery: "recover",
  accounting: "seq",
  settings: { connections: 2 },
};

/** A pod whose one connection saw seqs 1..5 of 6 (seq 6 lost), with latencies `base + i`. */
function podRecorder(base: number): PodRecorder {
  const recorder = new PodRecorder();
  const checker = new DeliveryChecker("seq");
  checker.connected(0, { seq: 0, resume: true });
  for (let seq = 1; seq <= 5; seq++) {
    checker.receive({ seq }, seq);
    recorder.fanout.recordMs(base + seq);
    recorder.e2e.recordMs(base + seq + 1);
  }
  recorder.reconnectTime.recordMs(base * 10);
  recorder.connections.opened = 1;
  recorder.connections.peak = 1;
  recorder.connections.reconnects = 1;
  recorder.triggers.sent = 3;
  recorder.triggers.accepted = 3;
  const published = [1, 2, 3, 4, 5, 6].map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs: seq }));
  recorder.delivery = checker.finish(published);
  return recorder;
}

function report(thresholds: Record<string, string[]> = {}, validityReasons?: string[]): Report {
  const timeSeries = new TimeSeriesRecorder(1000);
  timeSeries.sample({ connections: 2, triggers: 3, framesPerSecond: 6, fanoutP99Ms: 15, errors: 0 }, 2000);
  return buildReport({
    run,
    pods: { "pod-a": podRecorder(10), "pod-b": podRecorder(100) },
    timeSeries: timeSeries.points(),
    events: [{ t: 1, kind: "phase", name: "steady" }],
    thresholds,
    ...(validityReasons ? { validityReasons } : {}),
  });
}

describe("PodRecorder", () => {
  it("reports all zeros when nothing happened", () => {
    const figures = new PodRecorder().toFigures();
    expect(figures.connections).toEqual({ opened: 0, failed: 0, peak: 0, reconnects: 0 });
    expect(figures.fanout.count).toBe(0);
    expect(figures.delivery.expected).toBe(0);
  });

  it("merges counts by summing and histograms exactly", () => {
    const merged = new PodRecorder();
    merged.merge(podRecorder(10));
    merged.merge(podRecorder(100));
    const figures = merged.toFigures();
    expect(figures.connections).toEqual({ opened: 2, failed: 0, peak: 2, reconnects: 2 });
    expect(figures.triggers).toEqual({ sent: 6, accepted: 6, failed: 0 });
    expect(figures.delivery).toMatchObject({ expected: 12, received: 10, lost: 2, lostSamples: ["6", "6"] });
    const single = new LatencyHistogram();
    for (const base of [10, 100]) for (let seq = 1; seq <= 5; seq++) single.recordMs(base + seq);
    expect(figures.fanout).toEqual(single.summary());
  });

  it("hands out copies, so a report cannot change the recorder", () => {
    const recorder = podRecorder(10);
    recorder.toFigures().delivery.lostSamples.push("x");
    expect(recorder.delivery.lostSamples).toEqual(["6"]);
  });
});

describe("TimeSeriesRecorder", () => {
  it("stamps each point with seconds since the start, never negative", () => {
    const series = new TimeSeriesRecorder(10_000);
    const point = { connections: 1, triggers: 0, framesPerSecond: 0, fanoutP99Ms: 0, errors: 0 };
    series.sample(point, 9_000);
    series.sample(point, 11_500);
    expect(series.points().map((p) => p.t)).toEqual([0, 1.5]);
  });

  it("merges neighbours past its cap, so an hours-long run holds a bounded series that still adds up", () => {
    const series = new TimeSeriesRecorder(0, 100);
    for (let second = 1; second <= 10_000; second++) {
      series.sample(
        {
          connections: 50,
          triggers: 2,
          framesPerSecond: 100,
          fanoutP99Ms: second === 5000 ? 900 : 5,
          errors: 0,
        },
        second * 1000,
      );
    }
    const points = series.points();
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points.at(-1)?.t).toBe(10_000);
    expect(points.reduce((sum, p) => sum + p.triggers, 0)).toBe(20_000);
    expect(Math.max(...points.map((p) => p.fanoutP99Ms))).toBe(900);
    expect(points.every((p) => p.framesPerSecond === 100 && p.connections === 50)).toBe(true);
  });
});

describe("buildReport", () => {
  it("produces a report that validates against the report schema", () => {
    const built = report({ crosspod_lost: ["count==0"] });
    expect(reportSchema.safeParse(JSON.parse(JSON.stringify(built))).success).toBe(true);
    expect(built.schema).toBe("crosspod.report/v1");
    expect(Object.keys(built.pods)).toEqual(["pod-a", "pod-b"]);
    expect(built.matrix).toEqual([]);
    expect(built.chaos).toEqual([]);
  });

  it("makes overall the merge of the pods, with merged histograms that decode to the same percentiles", () => {
    const built = report();
    expect(built.overall.delivery).toMatchObject({ expected: 12, received: 10, lost: 2 });
    const fanout = LatencyHistogram.decode(built.histograms.fanout);
    expect(fanout.summary()).toEqual(built.overall.fanout);
    expect(fanout.count).toBe(10);
    expect(LatencyHistogram.decode(built.histograms.e2e).summary()).toEqual(built.overall.e2e);
  });

  it("evaluates thresholds on the overall figures with exact percentiles", () => {
    const built = report({
      crosspod_lost: ["count==0", "count<=2"],
      crosspod_fanout_latency: ["p(95)<106", "max<100"],
    });
    expect(built.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ["count==0", false],
      ["count<=2", true],
      ["p(95)<106", true],
      ["max<100", false],
    ]);
    expect(built.thresholds[2]?.actual).toBeCloseTo(105, 0);
  });

  it("takes the overall peak from the time series and the largest pod, not the sum of pods", () => {
    expect(report().overall.connections.peak).toBe(2);
    expect(report().pods["pod-a"]?.connections.peak).toBe(1);
  });

  it("is valid unless a reason is given, and invalid when nothing was expected", () => {
    expect(report().validity).toEqual({ valid: true, reasons: [] });
    expect(report({}, ["generator CPU saturated"]).validity).toEqual({
      valid: false,
      reasons: ["generator CPU saturated"],
    });
    const empty = buildReport({ run, pods: {}, timeSeries: [], events: [], thresholds: {} });
    expect(empty.validity.valid).toBe(false);
    expect(empty.validity.reasons[0]).toMatch(/no frame was expected/);
  });

  it("leaves checking against the schema to the JSON renderer, which names the bad field", () => {
    const report = buildReport({
      run,
      pods: {},
      timeSeries: [],
      events: [{ t: -1, kind: "info", name: "x" }],
      thresholds: {},
    });
    expect(() => renderJsonReport(report)).toThrow(/events\.0\.t/);
  });
});
