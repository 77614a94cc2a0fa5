import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import type { PodFigures } from "../../lib/core/report-model.js";
import {
  evaluateThresholds,
  judgesDrift,
  type ParsedThreshold,
  parseThreshold,
  ThresholdSyntaxError,
  validateThresholds,
} from "../../lib/core/thresholds.js";
import { driftFigures, podDrift } from "./support/drift-figures.js";

const validExpressions: [string, ParsedThreshold][] = [
  ["p(99)<250", { aggregation: "p", percentile: 99, op: "<", value: 250 }],
  ["p(99.9)<400", { aggregation: "p", percentile: 99.9, op: "<", value: 400 }],
  ["max<1000", { aggregation: "max", op: "<", value: 1000 }],
  ["count==0", { aggregation: "count", op: "==", value: 0 }],
  ["count===0", { aggregation: "count", op: "==", value: 0 }],
  ["rate>0.999", { aggregation: "rate", op: ">", value: 0.999 }],
  ["avg<=5", { aggregation: "avg", op: "<=", value: 5 }],
  ["med<3", { aggregation: "med", op: "<", value: 3 }],
  ["min>=-1", { aggregation: "min", op: ">=", value: -1 }],
  [" p( 95 ) != 1e3 ", { aggregation: "p", percentile: 95, op: "!=", value: 1000 }],
];

const invalidExpressions = [
  "",
  "p99<250",
  "p(99)",
  "p(99)<",
  "<250",
  "p(101)<5",
  "p(-1)<5",
  "avg=<5",
  "avg<5ms",
  "mean<5",
  "count==0 or 1",
  "rate>>0.9",
];

function figures(overrides: Partial<PodFigures["delivery"]> = {}): PodFigures {
  const latency = { count: 100, min: 1, mean: 20, p50: 15, p90: 40, p99: 90, p999: 120, max: 130 };
  return {
    connections: { opened: 10, failed: 0, peak: 10, reconnects: 2 },
    triggers: { sent: 10, accepted: 10, failed: 0 },
    delivery: {
      expected: 100,
      received: 98,
      lost: 1,
      missedWhileDisconnected: 1,
      recovered: 0,
      duplicates: 0,
      outOfOrder: 3,
      resets: 0,
      lostSamples: ["7"],
      ...overrides,
    },
    fanout: latency,
    e2e: { ...latency, p99: 300 },
    reconnectTime: { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
  };
}

describe("parseThreshold", () => {
  it.each(validExpressions)("parses %j", (expression, parsed) => {
    expect(parseThreshold(expression)).toEqual(parsed);
  });

  it.each(invalidExpressions)("rejects %j with an error naming the expression", (expression) => {
    expect(() => parseThreshold(expression)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(expression)).toThrow(`"${expression}"`);
  });

  it("gives its errors the CROSSPOD_THRESHOLD_SYNTAX code", () => {
    try {
      parseThreshold("nope");
      expect.unreachable();
    } catch (error) {
      expect((error as ThresholdSyntaxError).code).toBe("CROSSPOD_THRESHOLD_SYNTAX");
    }
  });
});

describe("validateThresholds", () => {
  it("accepts the aggregations each metric type has", () => {
    expect(() =>
      validateThresholds({
        crosspod_fanout_latency: ["p(99)<250", "avg<5", "min<1", "max<9", "med<3", "count>0"],
        crosspod_lost: ["count==0"],
        crosspod_delivery: ["rate>0.999"],
      }),
    ).not.toThrow();
  });

  it("rejects an unknown metric, naming it and the expression", () => {
    expect(() => validateThresholds({ crosspod_nope: ["count==0"] })).toThrow(
      /"count==0" is on unknown metric "crosspod_nope"/,
    );
  });

  it("rejects an aggregation the metric type does not have, naming it", () => {
    expect(() => validateThresholds({ crosspod_lost: ["p(99)<1"] })).toThrow(/"p\(99\)<1" on crosspod_lost/);
    expect(() => validateThresholds({ crosspod_delivery: ["count>1"] })).toThrow(/a rate does not have/);
    expect(() => validateThresholds({ crosspod_e2e_latency: ["rate>1"] })).toThrow(ThresholdSyntaxError);
  });
});

describe("evaluateThresholds", () => {
  it("evaluates each expression on the overall figures, reporting the actual value", () => {
    const results = evaluateThresholds(
      {
        crosspod_lost: ["count==0", "count<2"],
        crosspod_out_of_order: ["count==3"],
        crosspod_fanout_latency: ["p(99)<250", "max<100", "avg<=20", "med<15", "p(99.9)<121", "count>=100"],
        crosspod_e2e_latency: ["p(99)<250"],
        crosspod_frames_received: ["count>0"],
        crosspod_reconnects: ["count<=2"],
        crosspod_missed: ["count==1"],
        crosspod_delivery: ["rate>=0.98", "rate>0.98"],
      },
      figures(),
    );
    expect(results.map((r) => [r.metric, r.expression, r.ok, r.actual])).toEqual([
      ["crosspod_lost", "count==0", false, 1],
      ["crosspod_lost", "count<2", true, 1],
      ["crosspod_out_of_order", "count==3", true, 3],
      ["crosspod_fanout_latency", "p(99)<250", true, 90],
      ["crosspod_fanout_latency", "max<100", false, 130],
      ["crosspod_fanout_latency", "avg<=20", true, 20],
      ["crosspod_fanout_latency", "med<15", false, 15],
      ["crosspod_fanout_latency", "p(99.9)<121", true, 120],
      ["crosspod_fanout_latency", "count>=100", true, 100],
      ["crosspod_e2e_latency", "p(99)<250", false, 300],
      ["crosspod_frames_received", "count>0", true, 98],
      ["crosspod_reconnects", "count<=2", true, 2],
      ["crosspod_missed", "count==1", true, 1],
      ["crosspod_delivery", "rate>=0.98", true, 0.98],
      ["crosspod_delivery", "rate>0.98", false, 0.98],
    ]);
  });

  it("reads any percentile from the histogram when one is given", () => {
    const fanout = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) fanout.recordMs(ms);
    const [result] = evaluateThresholds({ crosspod_fanout_latency: ["p(95)<96"] }, figures(), { fanout });
    expect(result?.ok).toBe(true);
    expect(result?.actual).toBeCloseTo(95, 1);
  });

  it("refuses a percentile the summary does not hold when no histogram is given", () => {
    expect(() => evaluateThresholds({ crosspod_fanout_latency: ["p(95)<96"] }, figures())).toThrow(
      /"p\(95\)<96" needs the latency histogram/,
    );
  });

  it("passes thresholds on metrics without data, with a null actual", () => {
    const results = evaluateThresholds(
      { crosspod_reconnect_time: ["p(99)<5000", "count==0"], crosspod_delivery: ["rate>0.999"] },
      figures({ expected: 0, received: 0, lost: 0, missedWhileDisconnected: 0 }),
    );
    expect(results.map((r) => [r.ok, r.actual])).toEqual([
      [true, null],
      [true, 0],
      [true, null],
    ]);
  });

  it("judges the share of failed triggers as a rate, with no value when nothing was sent", () => {
    const failing = { ...figures(), triggers: { sent: 200, accepted: 189, failed: 11 } };
    const [judged] = evaluateThresholds({ crosspod_trigger_failures: ["rate<0.01"] }, failing);
    expect(judged).toEqual({
      metric: "crosspod_trigger_failures",
      expression: "rate<0.01",
      ok: false,
      actual: 0.055,
    });
    const idle = { ...figures(), triggers: { sent: 0, accepted: 0, failed: 0 } };
    expect(evaluateThresholds({ crosspod_trigger_failures: ["rate<0.01"] }, idle)[0]?.actual).toBeNull();
    expect(() => validateThresholds({ crosspod_trigger_failures: ["count==0"] })).toThrow(/a rate/);
  });

  it("counts restarted pods that never served again, with no value when no pod was restarted", () => {
    const spec = { crosspod_rejoin_failures: ["count==0"] };
    const judge = (rejoinFailures: number | null) =>
      evaluateThresholds(spec, figures(), {}, { acknowledgedLost: null, rejoinFailures })[0];
    expect(judge(1)).toMatchObject({ ok: false, actual: 1 });
    expect(judge(0)).toMatchObject({ ok: true, actual: 0 });
    expect(judge(null)).toMatchObject({ ok: true, actual: null });
  });

  it("throws for an unknown metric instead of passing silently", () => {
    expect(() => evaluateThresholds({ lost: ["count==0"] }, figures())).toThrow(/unknown metric "lost"/);
  });
});

describe("drift thresholds", () => {
  const drift = driftFigures({
    pods: {
      "pod-a": podDrift({ rssMiBPerHour: 2 }),
      "pod-b": podDrift({ rssMiBPerHour: 7.5 }),
      "pod-c": podDrift({ rssMiBPerHour: null }),
    },
    redis: {
      samples: 10,
      memoryMiBPerHour: 3,
      streamLengthPerHour: 36_000,
      last: { memoryMiB: 4, streamLength: 6000 },
    },
    fanoutP99Drift: 1.1,
  });

  it("judges the worst pod's slope, Redis's and the fan-out p99 ratio with value", () => {
    const results = evaluateThresholds(
      {
        crosspod_pod_rss_slope: ["value<5"],
        crosspod_pod_heap_slope: ["value<5"],
        crosspod_redis_memory_slope: ["value<10"],
        crosspod_fanout_p99_drift: ["value<1.25"],
      },
      figures(),
      {},
      { acknowledgedLost: null, drift },
    );
    expect(results.map((r) => [r.metric, r.ok, r.actual])).toEqual([
      ["crosspod_pod_rss_slope", false, 7.5],
      ["crosspod_pod_heap_slope", true, 0.5],
      ["crosspod_redis_memory_slope", true, 3],
      ["crosspod_fanout_p99_drift", true, 1.1],
    ]);
  });

  it("has no data (and passes, as other metrics without data do) when the run sampled no drift", () => {
    const [result] = evaluateThresholds({ crosspod_pod_rss_slope: ["value<5"] }, figures());
    expect(result).toMatchObject({ ok: true, actual: null });
  });

  it("accepts only value on a drift metric, and says which thresholds need drift sampled", () => {
    expect(() => validateThresholds({ crosspod_pod_rss_slope: ["p(99)<5"] })).toThrow(
      /a drift does not have/,
    );
    expect(judgesDrift({ crosspod_lost: ["count==0"] })).toBe(false);
    expect(judgesDrift({ crosspod_pod_rss_slope: [] })).toBe(false);
    expect(judgesDrift({ crosspod_fanout_p99_drift: ["value<1.25"] })).toBe(true);
  });
});
