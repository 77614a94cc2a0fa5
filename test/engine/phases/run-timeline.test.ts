import { describe, expect, it } from "vitest";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";

describe("RunTimeline", () => {
  it("stamps events in seconds since the start and tracks the phase entered", () => {
    let nowMs = 10_000;
    const timeline = new RunTimeline(10_000, () => nowMs);
    expect(timeline.phase).toBe("discover");
    nowMs = 12_500;
    timeline.enter("ramp", "4 connections over 1 s");
    expect(timeline.phase).toBe("ramp");
    expect(timeline.events).toEqual([
      { t: 2.5, kind: "phase", name: "ramp", detail: "4 connections over 1 s" },
    ]);
  });

  it("sorts events recorded out of order (a chaos action reported once done) and never stamps before 0", () => {
    let nowMs = 5_000;
    const timeline = new RunTimeline(1_000, () => nowMs);
    timeline.event({ kind: "info", name: "late" });
    timeline.eventAt(2_000, { kind: "chaos", name: "kill-pod", target: "pod-b" });
    timeline.eventAt(500, { kind: "info", name: "before-start" });
    nowMs = 6_000;
    expect(timeline.sorted().map((event) => [event.name, event.t])).toEqual([
      ["before-start", 0],
      ["kill-pod", 1],
      ["late", 4],
    ]);
  });
});
