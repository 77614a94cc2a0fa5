import { describe, expect, it } from "vitest";
import {
  ChaosScheduleError,
  checkChaosSchedule,
  describeChaosAction,
  parseChaosAction,
  parseChaosSchedule,
  parseLink,
} from "../../lib/core/chaos-schedule.js";

function errorOf(work: () => unknown): ChaosScheduleError {
  try {
    work();
  } catch (error) {
    if (error instanceof ChaosScheduleError) return error;
    throw error;
  }
  throw new Error("expected a ChaosScheduleError");
}

describe("chaos schedule", () => {
  it("parses the design's example into steps in time order", () => {
    const steps = parseChaosSchedule(
      "kill-pod:pod-b@30s,restart-pod:pod-b@40s,kill-redis@60s,latency:redis@pod-a=200ms±20ms@10s..",
    );
    expect(steps.map((step) => [step.atSeconds, step.action])).toEqual([
      [10, { action: "latency", target: "redis@pod-a", latencyMs: 200, jitterMs: 20 }],
      [30, { action: "kill-pod", target: "pod-b" }],
      [40, { action: "restart-pod", target: "pod-b" }],
      [60, { action: "kill-redis", target: "redis" }],
    ]);
    expect(steps[1]?.source).toBe("kill-pod:pod-b@30s");
  });

  it("expands a range into the action and the one that undoes it", () => {
    const steps = parseChaosSchedule(
      "kill-pod:pod-b@10s..15s,blackhole:pod-a@clients@2s..2.5s,stop-redis@1m..1m30s",
    );
    expect(steps.map((step) => `${step.atSeconds} ${describeChaosAction(step.action)}`)).toEqual([
      "2 blackhole pod-a@clients",
      "2.5 heal pod-a@clients",
      "10 kill-pod pod-b SIGKILL",
      "15 restart-pod pod-b",
      "60 stop-redis redis SIGTERM",
      "90 restart-redis redis",
    ]);
  });

  it("reads latency with +- jitter, seconds, plain-second times and bandwidth units", () => {
    const steps = parseChaosSchedule(
      "latency:redis@pod-c=0.5s+-50ms@1.5,bandwidth:pod-b@clients=64KiB/s@500ms,bandwidth:redis@pod-a=2MB/s@3",
    );
    expect(steps.map((step) => [step.atSeconds, step.action])).toEqual([
      [0.5, { action: "bandwidth", target: "pod-b@clients", bytesPerSecond: 65_536 }],
      [1.5, { action: "latency", target: "redis@pod-c", latencyMs: 500, jitterMs: 50 }],
      [3, { action: "bandwidth", target: "redis@pod-a", bytesPerSecond: 2_000_000 }],
    ]);
  });

  it("keeps steps at the same time in the order they were written", () => {
    const steps = parseChaosSchedule("heal:redis@pod-a@5s,reset:redis@pod-a@5s,kill-pod:pod-a@5s");
    expect(steps.map((step) => step.action.action)).toEqual(["heal", "reset", "kill-pod"]);
  });

  it.each([
    ["kill-pdo:pod-b@30s", 'chaos step 1 "kill-pdo:pod-b@30s": unknown action "kill-pdo"'],
    ["kill-pod:pod-b@30s,kill-pod:pod-c@3x", 'chaos step 2 "kill-pod:pod-c@3x": "3x" is not a time'],
    ["kill-pod:pod-b", 'chaos step 1 "kill-pod:pod-b": expected <action>[:<target>][=<params>]@<time>'],
    ["kill-pod@3s", 'chaos step 1 "kill-pod@3s": kill-pod needs a target: "kill-pod:<pod>"'],
    ["kill-pod:pod b@3s", "target: expected a pod name such as pod-b"],
    [
      "latency:redis@pod-a@3s",
      'latency needs "=<delay>[±<jitter>]" such as =200ms or =200ms±20ms (got nothing)',
    ],
    ["latency:redis@pod-a=fast@3s", '(got "=fast")'],
    ["latency:redis@pod-a=20ms±30ms@3s", "jitterMs: expected at most latencyMs"],
    ["latency:pod-a=20ms@3s", 'target: expected a link: "redis@<pod>"'],
    ["bandwidth:redis@pod-a=lots@3s", 'bandwidth needs "=<bytes per second>"'],
    ["kill-pod:pod-b=now@3s", 'kill-pod takes no "=" parameters (got "=now")'],
    ["restart-pod:pod-b@3s..5s", "restart-pod cannot take a range: nothing undoes it"],
    ["kill-pod:pod-b@5s..3s", "the range 5s..3s ends before it starts"],
    ["kill-redis:pod-a@3s", 'target: expected "redis"'],
    [" , ", "is empty"],
  ])("rejects %j naming the bad part", (text, message) => {
    const error = errorOf(() => parseChaosSchedule(text));
    expect(error.code).toBe("CROSSPOD_CHAOS_SCHEDULE");
    expect(error.message).toContain(message);
  });

  it("checks targets against the cluster's pods and the trigger phase's length", () => {
    const steps = parseChaosSchedule("kill-pod:pod-b@3s,latency:redis@pod-d=1ms@4s");
    expect(errorOf(() => checkChaosSchedule(steps, ["pod-a", "pod-b", "pod-c"])).message).toBe(
      'chaos step 2 "latency:redis@pod-d=1ms@4s": no pod "pod-d" (pods: pod-a, pod-b, pod-c)',
    );
    expect(errorOf(() => checkChaosSchedule(steps, ["pod-b", "pod-d"], 3.5)).message).toContain(
      "4 s is after the trigger phase ends (3.5 s)",
    );
    expect(() => checkChaosSchedule(steps, ["pod-b", "pod-d"], 10)).not.toThrow();
  });
});

describe("chaos action", () => {
  it("validates a control API body and fills defaults", () => {
    expect(parseChaosAction({ action: "kill-redis" })).toEqual({ action: "kill-redis", target: "redis" });
    expect(parseChaosAction({ action: "latency", target: "redis@pod-a", latencyMs: 200 })).toEqual({
      action: "latency",
      target: "redis@pod-a",
      latencyMs: 200,
      jitterMs: 0,
    });
  });

  it.each([
    [{ action: "kill-pod" }, "target: expected a pod name such as pod-b"],
    [{ action: "explode", target: "pod-a" }, "action: expected one of kill-pod, stop-pod"],
    [
      { action: "latency", target: "redis@pod-a", latencyMs: "200" },
      "latencyMs: expected milliseconds from 0 to 60000",
    ],
    [
      { action: "bandwidth", target: "redis@pod-a", bytesPerSecond: 0 },
      "bytesPerSecond: expected a whole number of bytes per second from 1",
    ],
    [{ action: "kill-pod", target: "pod-a", signal: 9 }, "signal: not a field of a kill-pod action"],
    ["kill-pod", "expected an object {action, target, …}"],
  ])("rejects %j naming the field", (body, message) => {
    expect(errorOf(() => parseChaosAction(body)).message).toContain(message);
  });

  it("reads both link directions and nothing else", () => {
    expect(parseLink("redis@pod-a")).toEqual({ side: "redis", pod: "pod-a" });
    expect(parseLink("pod-a@clients")).toEqual({ side: "clients", pod: "pod-a" });
    for (const text of ["pod-a", "redis@clients", "redis@pod-a@clients", "pod-a@redis", "@pod-a"]) {
      expect(parseLink(text)).toBeUndefined();
    }
  });

  it("reads the Redis failover actions, undoing a kill of the primary by a restart and a partition by a heal", () => {
    const steps = parseChaosSchedule(
      "kill-redis-primary@5s..9s,partition-redis-primary@10s..12s,failover-redis@20s",
    );
    expect(steps.map((step) => [step.atSeconds, step.action.action, step.action.target])).toEqual([
      [5, "kill-redis-primary", "redis"],
      [9, "restart-redis", "redis"],
      [10, "partition-redis-primary", "redis"],
      [12, "heal-redis", "redis"],
      [20, "failover-redis", "redis"],
    ]);
    expect(() => parseChaosSchedule("failover-redis@1s..2s")).toThrow(/cannot take a range/);
    expect(parseChaosAction({ action: "partition-redis-primary" })).toEqual({
      action: "partition-redis-primary",
      target: "redis",
    });
  });
});
