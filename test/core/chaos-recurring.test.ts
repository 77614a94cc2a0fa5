import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChaosScheduleError, parseChaosSchedule } from "../../lib/core/chaos-schedule.js";

const pods = ["pod-a", "pod-b", "pod-c"];

function summary(text: string, durationSeconds: number) {
  return parseChaosSchedule(text, { pods, durationSeconds }).map((step) => [
    step.atSeconds,
    step.action.action,
    step.action.target,
  ]);
}

describe("recurring chaos steps (@every)", () => {
  it("restarts each pod in turn for restart-pod:*, one per interval, before the trigger phase ends", () => {
    expect(summary("restart-pod:*@every 10m", 3600)).toEqual([
      [600, "restart-pod", "pod-a"],
      [1200, "restart-pod", "pod-b"],
      [1800, "restart-pod", "pod-c"],
      [2400, "restart-pod", "pod-a"],
      [3000, "restart-pod", "pod-b"],
    ]);
  });

  it("repeats a fixed target or a Redis action, and merges with one-off steps in time order", () => {
    expect(summary("kill-redis@every 20s, kill-pod:pod-b@25s, restart-pod:pod-b@every30s", 61)).toEqual([
      [20, "kill-redis", "redis"],
      [25, "kill-pod", "pod-b"],
      [30, "restart-pod", "pod-b"],
      [40, "kill-redis", "redis"],
      [60, "kill-redis", "redis"],
      [60, "restart-pod", "pod-b"],
    ]);
  });

  it("chains the occurrences of a rolling (*) rule into one sequence, and leaves fixed targets independent", () => {
    const steps = parseChaosSchedule("restart-pod:*@every 10s, kill-redis@every 15s", {
      pods,
      durationSeconds: 31,
    });
    expect(steps.map((step) => [step.atSeconds, step.action.target, step.sequence])).toEqual([
      [10, "pod-a", "step 1"],
      [15, "redis", undefined],
      [20, "pod-b", "step 1"],
      [30, "pod-c", "step 1"],
      [30, "redis", undefined],
    ]);
  });

  it("takes * in a link too, with the action's parameters", () => {
    const [first, second] = parseChaosSchedule("latency:redis@*=50ms@every 1m", {
      pods,
      durationSeconds: 150,
    });
    expect(first?.action).toEqual({ action: "latency", target: "redis@pod-a", latencyMs: 50, jitterMs: 0 });
    expect(second?.action.target).toBe("redis@pod-b");
  });

  it.each([
    ["restart-pod:*@every 10m", undefined, "a recurring step needs the run's pods and duration"],
    ["restart-pod:*@every soon", { pods, durationSeconds: 60 }, '"soon" is not an interval'],
    ["restart-pod:*@every 500ms", { pods, durationSeconds: 60 }, "too often"],
    ["explode:*@every 10s", { pods, durationSeconds: 60 }, 'unknown action "explode"'],
    ["restart-pod:*@every 1s", { pods, durationSeconds: 7 * 86_400 }, "at most 1000 are allowed"],
  ])("refuses %s, naming the step", (text, context, message) => {
    const error = (() => {
      try {
        parseChaosSchedule(text, context);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ChaosScheduleError);
    expect((error as Error).message).toContain(`chaos step 1 "${text}"`);
    expect((error as Error).message).toContain(message);
  });

  it("unrolls any interval and duration into steps inside the trigger phase, cycling the pods in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 5 }),
        (interval, durationSeconds, podCount) => {
          const names = pods.concat(["pod-d", "pod-e"]).slice(0, podCount);
          const steps = parseChaosSchedule(`restart-pod:*@every ${interval}s`, {
            pods: names,
            durationSeconds,
          });
          expect(steps.length).toBe(Math.ceil(durationSeconds / interval) - 1);
          steps.forEach((step, index) => {
            expect(step.atSeconds).toBe((index + 1) * interval);
            expect(step.atSeconds).toBeLessThan(durationSeconds);
            expect(step.action.target).toBe(names[index % names.length]);
          });
        },
      ),
    );
  });
});
