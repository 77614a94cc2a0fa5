import { describe, expect, it } from "vitest";
import { emptyDelivery } from "../../lib/core/delivery-figures.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { measurePhases, phaseWindows } from "../../lib/core/run-phases.js";
import { evaluateThresholds, parseThresholdKey, validateThresholds } from "../../lib/core/thresholds.js";

const s = (seconds: number) => seconds * 1000;

function histogramOf(valueMs: number): string {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 10; i++) histogram.recordMs(valueMs);
  return histogram.encode();
}

describe("run phases", () => {
  it("splits the trigger phase into steady, fault until the clients are back, and 5 s of recovery", () => {
    expect(phaseWindows(s(0), s(30), [{ fromMs: s(10), toMs: s(12) }])).toEqual([
      { phase: "steady", fromMs: s(0), toMs: s(10) },
      { phase: "fault", fromMs: s(10), toMs: s(12) },
      { phase: "recovery", fromMs: s(12), toMs: s(17) },
      { phase: "steady", fromMs: s(17), toMs: s(30) },
    ]);
    expect(phaseWindows(s(0), s(30), [])).toEqual([{ phase: "steady", fromMs: 0, toMs: s(30) }]);
  });

  it("measures each phase's fan-out, triggers and delivery, and judges per-phase thresholds on them", () => {
    const windows = phaseWindows(s(0), s(20), [{ fromMs: s(10), toMs: s(12) }]);
    const seconds = Array.from({ length: 20 }, (_, i) => ({
      endMs: s(i + 1),
      fanout: histogramOf(i + 1 === 11 || i + 1 === 12 ? 900 : 10),
      triggersSent: 10,
      triggersFailed: i + 1 === 11 ? 4 : 0,
    }));
    const phases = measurePhases({
      windows,
      seconds,
      settle: (fromMs) => ({ ...emptyDelivery(), expected: 100, lost: fromMs === s(10) ? 3 : 0 }),
    });
    expect(phases.fault?.figures).toMatchObject({ seconds: 2, triggers: { sent: 20, failed: 4 } });
    expect(phases.fault?.figures.delivery.lost).toBe(3);
    expect(phases.steady?.figures.triggers).toEqual({ sent: 130, failed: 0 });
    expect(phases.steady?.fanout.percentileMs(99)).toBeLessThan(11);
    expect(phases.fault?.fanout.percentileMs(50)).toBeGreaterThan(890);

    const spec = {
      "crosspod_fanout_latency{phase:steady}": ["p(99)<250"],
      "crosspod_fanout_latency{phase:fault}": ["p(99)<250"],
      "crosspod_lost{phase:fault}": ["count==0"],
      "crosspod_trigger_failures{phase:steady}": ["rate<0.01"],
    };
    const overall = {
      connections: { opened: 1, failed: 0, peak: 1, reconnects: 0 },
      triggers: { sent: 200, accepted: 196, failed: 4 },
      delivery: emptyDelivery(),
      fanout: new LatencyHistogram().summary(),
      e2e: new LatencyHistogram().summary(),
      reconnectTime: new LatencyHistogram().summary(),
    };
    const results = evaluateThresholds(spec, overall, {}, { acknowledgedLost: null, phases });
    expect(results.map((r) => [r.metric, r.ok])).toEqual([
      ["crosspod_fanout_latency{phase:steady}", true],
      ["crosspod_fanout_latency{phase:fault}", false],
      ["crosspod_lost{phase:fault}", false],
      ["crosspod_trigger_failures{phase:steady}", true],
    ]);
    // Without chaos the run was steady throughout: steady judges the overall figures, fault has no value.
    const plain = evaluateThresholds(spec, overall);
    expect(plain.map((r) => r.actual)).toEqual([null, null, null, 0.02]);
  });

  it("parses k6's tag syntax and names what is wrong with a bad key", () => {
    expect(parseThresholdKey("crosspod_lost{phase:fault}")).toEqual({
      metric: "crosspod_lost",
      phase: "fault",
    });
    expect(parseThresholdKey("crosspod_lost")).toEqual({ metric: "crosspod_lost" });
    expect(() => validateThresholds({ "crosspod_lost{phase:warmup}": ["count==0"] })).toThrow(
      /names phase "warmup": expected one of steady, fault, recovery/,
    );
    expect(() => validateThresholds({ "crosspod_lost{pod:pod-a}": ["count==0"] })).toThrow(/is malformed/);
    expect(() => validateThresholds({ "crosspod_reconnects{phase:fault}": ["count==0"] })).toThrow(
      /not measured per phase/,
    );
  });
});
