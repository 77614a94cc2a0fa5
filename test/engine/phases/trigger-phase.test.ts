import { describe, expect, it } from "vitest";
import type { ChaosTimelineEvent } from "../../../lib/core/chaos-impact.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";
import { triggerPhase } from "../../../lib/engine/phases/trigger-phase.js";

const kill: ChaosTimelineEvent = {
  atMs: 3_000,
  action: "kill-pod",
  target: "pod-b",
  detail: "SIGKILL",
  ok: true,
};
const failed: ChaosTimelineEvent = {
  atMs: 4_000,
  action: "restart-pod",
  target: "pod-b",
  detail: "",
  ok: false,
  error: "not ready in 10 s",
};

describe("triggerPhase", () => {
  it("restarts the generator's window, runs chaos beside the publisher and waits for chaos to stop", async () => {
    const order: string[] = [];
    const done: ChaosTimelineEvent[] = [];
    const timeline = new RunTimeline(1_000, () => 1_000);
    await triggerPhase({
      timeline,
      health: { restart: () => order.push("restart") },
      chaos: {
        start: (onEvent) => {
          order.push("chaos-start");
          onEvent(kill);
          onEvent(failed);
        },
        stop: async () => {
          order.push("chaos-stop");
        },
      },
      onChaosEvent: (event) => done.push(event),
      publisher: {
        run: async () => {
          order.push("publish");
        },
      },
      ratePerSecond: 20,
      durationSeconds: 30,
      triggerPod: "pod-a",
    });
    expect(order).toEqual(["restart", "chaos-start", "publish", "chaos-stop"]);
    expect(done).toEqual([kill]);
    expect(timeline.events).toEqual([
      { t: 0, kind: "phase", name: "trigger", detail: "20/s for 30 s to pod-a" },
      { t: 2, kind: "chaos", name: "kill-pod", target: "pod-b", detail: "SIGKILL" },
      { t: 3, kind: "error", name: "restart-pod", target: "pod-b", detail: "failed: not ready in 10 s" },
    ]);
  });

  it("does not start when the run was already aborted", async () => {
    const stop = new AbortController();
    stop.abort();
    let published = false;
    const timeline = new RunTimeline(0, () => 0);
    await triggerPhase({
      timeline,
      health: { restart: () => {} },
      publisher: {
        run: async () => {
          published = true;
        },
      },
      ratePerSecond: 1,
      durationSeconds: 1,
      triggerPod: "round-robin",
      signal: stop.signal,
    });
    expect(published).toBe(false);
    expect(timeline.events).toEqual([]);
  });
});
