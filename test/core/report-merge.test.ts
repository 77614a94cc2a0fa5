import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyDelivery } from "../../lib/core/delivery-figures.js";
import { nthSegment } from "../../lib/core/execution-segment.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { mergeReports, ReportMergeError } from "../../lib/core/report-merge.js";
import type { Report, RunEvent } from "../../lib/core/report-model.js";
import { buildReport, type MatrixCellInput, PodRecorder } from "../../lib/core/run-recorder.js";
import { driftFigures, podDrift } from "./support/drift-figures.js";

/** What one connection of a recorded run saw: the unit a split hands to one runner or another. */
interface ConnectionRecord {
  pod: string;
  origin: string;
  fanoutMs: number[];
  e2eExtraMs: number;
  reconnectMs: number[];
  lost: number;
  failed: boolean;
}

const pods = ["pod-a", "pod-b", "pod-c"];
const thresholds = {
  crosspod_fanout_latency: ["p(99)<40", "p(50)<20"],
  crosspod_lost: ["count==0"],
  crosspod_delivery: ["rate>0.99"],
};
const events: RunEvent[] = [{ t: 0, kind: "phase", name: "ramp" }];

function recordedRun(connections: readonly ConnectionRecord[], segments?: string[]): Report {
  const recorders: Record<string, PodRecorder> = {};
  const cells = new Map<string, MatrixCellInput>();
  for (const connection of connections) {
    const pod = recorders[connection.pod] ?? new PodRecorder();
    recorders[connection.pod] = pod;
    pod.connections.opened += connection.failed ? 0 : 1;
    pod.connections.failed += connection.failed ? 1 : 0;
    pod.connections.peak += connection.failed ? 0 : 1;
    pod.connections.reconnects += connection.reconnectMs.length;
    const delivery = emptyDelivery();
    delivery.expected = connection.fanoutMs.length + connection.lost;
    delivery.received = connection.fanoutMs.length;
    delivery.lost = connection.lost;
    if (connection.lost > 0) delivery.lostSamples.push(`${connection.pod}:${connection.lost}`);
    const single = new PodRecorder();
    single.delivery = delivery;
    pod.merge(single);
    const key = `${connection.origin}>${connection.pod}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = {
        origin: connection.origin,
        deliveredBy: connection.pod,
        fanout: new LatencyHistogram(),
        received: 0,
      };
      cells.set(key, cell);
    }
    for (const ms of connection.fanoutMs) {
      pod.fanout.recordMs(ms);
      pod.e2e.recordMs(ms + connection.e2eExtraMs);
      cell.fanout.recordMs(ms);
      cell.received += 1;
    }
    for (const ms of connection.reconnectMs) pod.reconnectTime.recordMs(ms);
  }
  return buildReport({
    run: {
      id: "run-merge",
      profile: "cross-pod-load",
      engine: "node",
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:00:30.000Z",
      durationSeconds: 30,
      targets: pods.map((pod, index) => ({ pod, url: `http://127.0.0.1:${8081 + index}` })),
      delivery: "recover",
      accounting: "seq",
      settings: { connections: connections.length },
      ...(segments ? { segments } : {}),
    },
    pods: recorders,
    matrix: [...cells.values()],
    timeSeries: [],
    events,
    thresholds,
  });
}

const connectionArbitrary = fc.record({
  pod: fc.constantFrom(...pods),
  origin: fc.constantFrom(...pods),
  fanoutMs: fc.array(fc.double({ min: 0.05, max: 5000, noNaN: true }), { maxLength: 30 }),
  e2eExtraMs: fc.double({ min: 0, max: 5, noNaN: true }),
  reconnectMs: fc.array(fc.double({ min: 1, max: 9000, noNaN: true }), { maxLength: 2 }),
  lost: fc.nat({ max: 2 }),
  failed: fc.boolean(),
});

/** The figures a merge must reproduce exactly: everything but timestamps and the per-part bookkeeping. */
function comparable(report: Report) {
  const lostSamples = (figures: Report["overall"]) => ({ ...figures.delivery, lostSamples: [] });
  return {
    overall: { ...report.overall, delivery: lostSamples(report.overall) },
    pods: Object.fromEntries(
      Object.entries(report.pods).map(([pod, figures]) => [
        pod,
        { ...figures, delivery: lostSamples(figures) },
      ]),
    ),
    matrix: report.matrix
      .map(({ fanoutHistogram: _encoding, ...cell }) => cell)
      .sort((a, b) => `${a.origin}${a.deliveredBy}`.localeCompare(`${b.origin}${b.deliveredBy}`)),
    thresholds: report.thresholds,
    validity: report.validity,
    events: report.events,
  };
}

describe("merging partial reports", () => {
  it("gives the single run's report for any split of its connections into segments", () => {
    fc.assert(
      fc.property(
        fc.array(connectionArbitrary, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        (connections, runners, choices) => {
          const shares: ConnectionRecord[][] = Array.from({ length: runners }, () => []);
          const picks = choices.take(connections.length)[Symbol.iterator]();
          for (const connection of connections) {
            shares[(picks.next().value ?? 0) % runners]?.push(connection);
          }
          const parts = shares.map((share, index) =>
            recordedRun(share, [nthSegment(index + 1, runners).text]),
          );
          const merged = mergeReports(parts);
          expect(comparable(merged)).toEqual(comparable(recordedRun(connections)));
          expect(merged.run.segments).toHaveLength(runners);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("fails the merged verdict when one segment lost frames although the others pass alone", () => {
    const clean: ConnectionRecord = {
      pod: "pod-a",
      origin: "pod-b",
      fanoutMs: [3, 4, 5],
      e2eExtraMs: 1,
      reconnectMs: [],
      lost: 0,
      failed: false,
    };
    const losing = { ...clean, pod: "pod-c", lost: 2 };
    const parts = [
      recordedRun([clean, clean], ["0:1/3"]),
      recordedRun([clean], ["1/3:2/3"]),
      recordedRun([losing], ["2/3:1"]),
    ];
    expect(parts[0]?.thresholds.every((result) => result.ok)).toBe(true);
    const merged = mergeReports(parts);
    expect(merged.overall.delivery.lost).toBe(2);
    expect(merged.thresholds.find((result) => result.metric === "crosspod_lost")).toMatchObject({
      ok: false,
      actual: 2,
    });
  });

  it("keeps the drift section a runner sampled, and judges its thresholds once on it", () => {
    const parts = [recordedRun([], ["0:1/2"]), recordedRun([], ["1/2:1"])];
    const leaking = driftFigures({ pods: { "pod-a": podDrift({ rssMiBPerHour: 300 }) } });
    const rssThreshold = {
      metric: "crosspod_pod_rss_slope",
      expression: "value<250",
      ok: false,
      actual: 300,
    };
    const merged = mergeReports([
      { ...(parts[0] as Report), drift: leaking, thresholds: [rssThreshold] },
      { ...(parts[1] as Report), drift: leaking, thresholds: [rssThreshold] },
    ]);
    expect(merged.drift).toEqual(leaking);
    expect(merged.thresholds).toEqual([rssThreshold]);
  });

  it("names the segment that did not report, and refuses parts of different runs unless forced", () => {
    const part = recordedRun([], ["0:1/2"]);
    expect(() => mergeReports([part])).toThrow("execution segments missing: 1/2:1");
    const other = { ...recordedRun([], ["1/2:1"]), run: { ...part.run, id: "another", segments: ["1/2:1"] } };
    expect(() => mergeReports([part, other], {}, ["a.json", "b.json"])).toThrow(ReportMergeError);
    expect(() => mergeReports([part, other], {}, ["a.json", "b.json"])).toThrow(/b\.json: run\.id/);
    expect(mergeReports([part, other], { force: true }).run.segments).toEqual(["0:1/2", "1/2:1"]);
  });

  it("refuses a report without per-pod histograms instead of merging summaries approximately", () => {
    const part = recordedRun([
      {
        pod: "pod-a",
        origin: "pod-a",
        fanoutMs: [1],
        e2eExtraMs: 0,
        reconnectMs: [],
        lost: 0,
        failed: false,
      },
    ]);
    const old = { ...part, histograms: { fanout: part.histograms.fanout, e2e: part.histograms.e2e } };
    expect(() => mergeReports([old])).toThrow(/pod-a has no histograms/);
  });
});
