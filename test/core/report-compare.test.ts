import { describe, expect, it } from "vitest";
import { compareReports, defaultCompareLimits } from "../../lib/core/report-compare.js";
import type { Report } from "../../lib/core/report-model.js";
import { sampleReport } from "../report/sample-report.js";
import { driftFigures, podDrift } from "./support/drift-figures.js";

function withDrift(report: Report, rssMiBPerHour: number, fanoutP99Drift = 1.05): Report {
  const pods = { "pod-a": podDrift({ rssMiBPerHour }), "pod-b": podDrift({ rssMiBPerHour: 0.2 }) };
  return { ...report, drift: driftFigures({ pods, fanoutP99Drift }) };
}

function labels(report: ReturnType<typeof compareReports>): string[] {
  return report.regressions;
}

describe("compareReports", () => {
  it("finds no regression between a run and itself, and lists p50/p99 per pod and overall", () => {
    const comparison = compareReports(sampleReport(), sampleReport());
    expect(comparison.regressions).toEqual([]);
    expect(comparison.mismatches).toEqual([]);
    expect(comparison.rows.map((row) => row.label)).toEqual([
      "fan-out p50 · pod-a",
      "fan-out p99 · pod-a",
      "fan-out p50 · pod-b",
      "fan-out p99 · pod-b",
      "fan-out p50 · pod-c",
      "fan-out p99 · pod-c",
      "fan-out p50 · overall",
      "fan-out p99 · overall",
      "lost",
      "missed while disconnected",
      "reconnect time p99",
    ]);
  });

  it("fails a pod's p99 up by more than 20 % but not one up by 15 %", () => {
    const candidate = sampleReport();
    const podA = candidate.pods["pod-a"];
    const podC = candidate.pods["pod-c"];
    if (!podA || !podC) throw new Error("sample report without pod-a or pod-c");
    const baseA = podA.fanout.p99;
    podA.fanout = { ...podA.fanout, p99: baseA * 1.25 };
    podC.fanout = { ...podC.fanout, p99: podC.fanout.p99 * 1.15 };
    expect(labels(compareReports(sampleReport(), candidate))).toEqual([
      expect.stringMatching(/^fan-out p99 · pod-a .* \+ 20%$/),
    ]);
    expect(
      compareReports(sampleReport(), candidate, { ...defaultCompareLimits, p99Increase: 0.3 }).regressions,
    ).toEqual([]);
  });

  it("fails any new loss unless allowed", () => {
    const candidate = sampleReport();
    candidate.overall.delivery.lost = 3;
    expect(labels(compareReports(sampleReport(), candidate))).toEqual([
      "lost 3 frames (baseline 0): new loss",
    ]);
    expect(
      compareReports(sampleReport(), candidate, { ...defaultCompareLimits, allowNewLoss: true }).regressions,
    ).toEqual([]);
  });

  it("fails a drift slope that more than doubled, but not slopes within the noise floor", () => {
    const doubled = compareReports(withDrift(sampleReport(), 10), withDrift(sampleReport(), 25));
    expect(doubled.regressions).toEqual([
      expect.stringMatching(/^pod RSS slope \(worst pod\) 25 MiB\/h > 2× the baseline's 10/),
    ]);
    expect(
      compareReports(withDrift(sampleReport(), 0.1), withDrift(sampleReport(), 0.9)).regressions,
    ).toEqual([]);
    expect(compareReports(withDrift(sampleReport(), 10), withDrift(sampleReport(), 19)).regressions).toEqual(
      [],
    );
  });

  it("fails a fan-out p99 drift ratio more than twice the baseline's", () => {
    const comparison = compareReports(withDrift(sampleReport(), 1, 1.1), withDrift(sampleReport(), 1, 2.5));
    expect(comparison.regressions).toEqual([expect.stringMatching(/^fan-out p99 drift/)]);
  });

  it("names the differences that make two runs not like for like", () => {
    const candidate = sampleReport();
    candidate.run = { ...candidate.run, profile: "soak", engine: "k6" };
    expect(compareReports(sampleReport(), candidate).mismatches).toEqual([
      "profiles differ: baseline cross-pod-load, candidate soak",
      "engines differ: baseline node, candidate k6",
    ]);
  });
});
