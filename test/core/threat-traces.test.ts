import { describe, expect, it } from "vitest";
import { type SpanRecord, slowestThreats } from "../../lib/core/threat-traces.js";

function span(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  startMs: number,
  endMs: number,
  pod?: string,
): SpanRecord {
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    startMs,
    endMs,
    attributes: pod === undefined ? {} : { "crosspod.pod": pod, "crosspod.seq": 7 },
    resource: { "service.name": pod === undefined ? "crosspod-engine" : "crosspod-backend" },
    links: [],
  };
}

function threat(traceId: string, lastReceiveMs: number): SpanRecord[] {
  return [
    span(traceId, "1", undefined, "trigger threat", 1000, 1010),
    span(traceId, "2", "1", "POST /api/threats/trigger", 1001, 1009, "pod-a"),
    span(traceId, "3", "2", "publish threats", 1002, 1008, "pod-a"),
    span(traceId, "5", "3", "receive threat", 1006, lastReceiveMs, "pod-b"),
    span(traceId, "4", "3", "deliver threat", 1005, 1005.5, "pod-b"),
  ];
}

describe("slowest traced threats", () => {
  it("orders traces by trigger start to last receive and lays each out parent before child", () => {
    const spans = [...threat("a", 1020), ...threat("b", 1050), ...threat("c", 1030)];
    const slowest = slowestThreats(spans, 2);
    expect(slowest.map((trace) => [trace.traceId, trace.totalMs])).toEqual([
      ["b", 50],
      ["c", 30],
    ]);
    expect(slowest[0]?.seq).toBe(7);
    expect(slowest[0]?.spans.map((s) => [s.name, s.depth, s.offsetMs])).toEqual([
      ["trigger threat", 0, 0],
      ["POST /api/threats/trigger", 1, 1],
      ["publish threats", 2, 2],
      ["deliver threat", 3, 5],
      ["receive threat", 3, 6],
    ]);
  });

  it("leaves out traces with no engine trigger span, such as a k6 run's backend-only traces", () => {
    const backendOnly = threat("k", 1020).filter((s) => s.name !== "trigger threat");
    expect(slowestThreats(backendOnly, 5)).toEqual([]);
  });
});
