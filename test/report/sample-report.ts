// Hand-built, realistic Report documents for the renderer tests: a 3-pod cross-pod-load run with a
// pod kill (all thresholds pass), the same run with failures and an invalid generator, and an empty
// run. Figures are consistent: 300 connections x 600 triggers = 180,000 frames.
import {
  type LatencySummary,
  type PodFigures,
  type Report,
  reportSchema,
  reportSchemaId,
  type TimeSeriesPoint,
} from "../../lib/core/report-model.js";

export const injectedDetail = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">';
export const injectedPod = 'pod-<b onmouseover="x">evil</b>';

function latency(p50: number, count: number, scale = 1): LatencySummary {
  return {
    count,
    min: round(p50 * 0.31 * scale),
    mean: round(p50 * 1.18 * scale),
    p50: round(p50 * scale),
    p90: round(p50 * 2.4 * scale),
    p99: round(p50 * 6.1 * scale),
    p999: round(p50 * 14.7 * scale),
    max: round(p50 * 31.2 * scale),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function pod(options: {
  received: number;
  fanoutP50: number;
  reconnects: number;
  recovered: number;
  lost?: number;
}): PodFigures {
  const lost = options.lost ?? 0;
  return {
    connections: { opened: 100 + options.reconnects, failed: 0, peak: 100, reconnects: options.reconnects },
    triggers: { sent: 200, accepted: 200, failed: 0 },
    delivery: {
      expected: 60_000,
      received: options.received,
      lost,
      missedWhileDisconnected: 0,
      recovered: options.recovered,
      duplicates: 0,
      outOfOrder: 0,
      resets: 0,
      lostSamples: lost > 0 ? ["4107", "4108", "4109"] : [],
    },
    fanout: latency(options.fanoutP50, options.received),
    e2e: latency(options.fanoutP50 + 0.9, options.received),
    reconnectTime:
      options.reconnects > 0
        ? {
            count: options.reconnects,
            min: 212,
            mean: 388,
            p50: 361,
            p90: 512,
            p99: 640.5,
            p999: 652,
            max: 652,
          }
        : latency(0, 0),
  };
}

function timeSeries(): TimeSeriesPoint[] {
  const points: TimeSeriesPoint[] = [];
  for (let t = 1; t <= 40; t += 1) {
    const ramping = t <= 3;
    const publishing = t > 3 && t <= 33;
    const podDown = t >= 13 && t <= 14;
    const connections = ramping ? t * 100 : podDown ? 200 : 300;
    const triggers = publishing ? 20 : 0;
    points.push({
      t,
      connections,
      triggers,
      framesPerSecond: triggers * (podDown && t === 13 ? 200 : 300) + (t === 15 ? 2000 : 0),
      fanoutP99Ms: publishing ? round(9.5 + Math.sin(t / 2) * 2.2 + (t === 15 ? 180 : 0)) : 0,
      errors: t === 13 ? 100 : 0,
    });
  }
  return points;
}

/** A passing 3-pod run with one pod kill that every client recovered from. */
export function sampleReport(): Report {
  const pods = {
    "pod-a": pod({ received: 60_000, fanoutP50: 1.42, reconnects: 0, recovered: 0 }),
    "pod-b": pod({ received: 60_000, fanoutP50: 1.61, reconnects: 100, recovered: 2000 }),
    "pod-c": pod({ received: 60_000, fanoutP50: 1.38, reconnects: 0, recovered: 0 }),
  };
  const report: Report = {
    schema: reportSchemaId,
    run: {
      id: "run-7f3a9c",
      profile: "cross-pod-load",
      engine: "node",
      startedAt: "2025-06-01T10:00:00.000Z",
      endedAt: "2025-06-01T10:00:40.000Z",
      durationSeconds: 40,
      targets: [
        { pod: "pod-a", url: "ws://127.0.0.1:41001/ws" },
        { pod: "pod-b", url: "ws://127.0.0.1:41002/ws" },
        { pod: "pod-c", url: "ws://127.0.0.1:41003/ws" },
      ],
      delivery: "recover",
      accounting: "seq",
      settings: { connections: 300, triggerRate: 20, durationSeconds: 30, rampSeconds: 3, drainSeconds: 5 },
    },
    overall: {
      connections: { opened: 400, failed: 0, peak: 300, reconnects: 100 },
      triggers: { sent: 600, accepted: 600, failed: 0 },
      delivery: {
        expected: 180_000,
        received: 180_000,
        lost: 0,
        missedWhileDisconnected: 0,
        recovered: 2000,
        duplicates: 0,
        outOfOrder: 0,
        resets: 0,
        lostSamples: [],
      },
      fanout: latency(1.47, 180_000),
      e2e: latency(2.37, 180_000),
      reconnectTime: { count: 100, min: 212, mean: 388, p50: 361, p90: 512, p99: 640.5, p999: 652, max: 652 },
    },
    pods,
    matrix: ["pod-a", "pod-b", "pod-c"].flatMap((origin, i) =>
      ["pod-a", "pod-b", "pod-c"].map((deliveredBy, j) => ({
        origin,
        deliveredBy,
        fanout: latency(1.2 + i * 0.1 + j * 0.15, 20_000),
        received: 20_000,
      })),
    ),
    timeSeries: timeSeries(),
    events: [
      { t: 0, kind: "phase", name: "ramp" },
      { t: 3, kind: "phase", name: "steady" },
      { t: 12.4, kind: "chaos", name: "kill-pod", target: "pod-b", detail: "SIGKILL" },
      { t: 13.9, kind: "chaos", name: "restart-pod", target: "pod-b" },
      { t: 20, kind: "info", name: "note", detail: injectedDetail },
      { t: 33, kind: "phase", name: "drain" },
    ],
    chaos: [
      {
        t: 12.4,
        action: "kill-pod",
        target: "pod-b",
        clientsDisconnected: 100,
        reconnectTime: {
          count: 100,
          min: 212,
          mean: 388,
          p50: 361,
          p90: 512,
          p99: 640.5,
          p999: 652,
          max: 652,
        },
        missedWhileDisconnected: 0,
        recovered: 2000,
        lost: 0,
        duplicates: 0,
        outOfOrder: 0,
        fanoutP99Ms: { before: 9.1, during: 188.4, after: 10.2 },
        historyLost: false,
      },
    ],
    thresholds: [
      { metric: "crosspod_lost", expression: "count==0", ok: true, actual: 0 },
      { metric: "crosspod_out_of_order", expression: "count==0", ok: true, actual: 0 },
      { metric: "crosspod_duplicates", expression: "count==0", ok: true, actual: 0 },
      { metric: "crosspod_fanout_latency", expression: "p(99)<250", ok: true, actual: 8.967 },
    ],
    validity: { valid: true, reasons: [] },
    histograms: { fanout: "HISTFAAAAB54nJNpmSzMwMDAzgABzFCaEUzOmQDhMgEAOgcDVQ==", e2e: "HISTFAAAAB54nA==" },
  };
  return reportSchema.parse(report);
}

/** The same run in pubsub mode with a loss, a failing latency threshold and a saturated generator. */
export function failingReport(): Report {
  const report = sampleReport();
  report.run.delivery = "pubsub";
  const podB = report.pods["pod-b"];
  if (podB === undefined) throw new Error("sample report has no pod-b");
  podB.delivery.received = 57_980;
  podB.delivery.lost = 20;
  podB.delivery.missedWhileDisconnected = 2000;
  podB.delivery.recovered = 0;
  podB.delivery.duplicates = 3;
  podB.delivery.lostSamples = ["4107", "4108", "4109"];
  report.overall.delivery = {
    ...report.overall.delivery,
    received: 177_980,
    lost: 20,
    missedWhileDisconnected: 2000,
    recovered: 0,
    duplicates: 3,
    lostSamples: ["4107", "4108", "4109"],
  };
  const chaos = report.chaos[0];
  if (chaos === undefined) throw new Error("sample report has no chaos event");
  Object.assign(chaos, { missedWhileDisconnected: 2000, recovered: 0, lost: 20, duplicates: 3 });
  report.thresholds = [
    { metric: "crosspod_lost", expression: "count==0", ok: false, actual: 20 },
    { metric: "crosspod_out_of_order", expression: "count==0", ok: true, actual: 0 },
    { metric: "crosspod_duplicates", expression: "count==0", ok: false, actual: 3 },
    { metric: "crosspod_fanout_latency", expression: "p(99)<5", ok: false, actual: 8.967 },
    { metric: "crosspod_delivery", expression: "rate>0.9999", ok: false, actual: 0.99888 },
    { metric: "crosspod_reconnect_time", expression: "p(99)<5000", ok: true, actual: 640.5 },
  ];
  report.validity = { valid: false, reasons: ["generator event-loop lag p99 412 ms exceeded 100 ms"] };
  return reportSchema.parse(report);
}

/** A run that produced nothing: no pods, no samples, no events, no thresholds. */
export function emptyReport(): Report {
  const report = sampleReport();
  const zero = latency(0, 0);
  const emptyPod: PodFigures = {
    connections: { opened: 0, failed: 3, peak: 0, reconnects: 0 },
    triggers: { sent: 0, accepted: 0, failed: 0 },
    delivery: {
      expected: 0,
      received: 0,
      lost: 0,
      missedWhileDisconnected: 0,
      recovered: 0,
      duplicates: 0,
      outOfOrder: 0,
      resets: 0,
      lostSamples: [],
    },
    fanout: zero,
    e2e: zero,
    reconnectTime: zero,
  };
  return reportSchema.parse({
    ...report,
    run: { ...report.run, durationSeconds: 0, targets: [] },
    overall: emptyPod,
    pods: {},
    matrix: [],
    timeSeries: [],
    events: [],
    chaos: [],
    thresholds: [],
  });
}

/** A report whose pod name and chaos target carry markup, to prove renderers escape them. */
export function hostileReport(): Report {
  const report = sampleReport();
  const podA = report.pods["pod-a"];
  if (podA === undefined) throw new Error("sample report has no pod-a");
  report.pods[injectedPod] = podA;
  report.run.targets.push({ pod: injectedPod, url: "ws://127.0.0.1:1/ws?<x>" });
  report.events.push({ t: 25, kind: "error", name: "</script><script>window.__pwned=3</script>" });
  report.validity.reasons.push(injectedDetail);
  return reportSchema.parse(report);
}

/** The sample run watched by three console pages (two on pod-a, one on pod-b), one of which logged an error. */
export function browserReport(): Report {
  const report = sampleReport();
  report.browser = {
    pages: 3,
    renderLatency: { "pod-b": latency(41, 600), "pod-a": latency(38, 1200) },
    pageDelay: { "pod-b": latency(4.2, 600), "pod-a": latency(3.1, 1200) },
    pageErrors: [`pod-b: ${injectedDetail}`],
  };
  return reportSchema.parse(report);
}
