import { describe, expect, it } from "vitest";
import { resolveProfile } from "../../lib/core/profiles.js";
import { k6Thresholds, runOptions, runTiming } from "../../scenarios/lib/k6-options.js";

describe("runOptions", () => {
  const profile = resolveProfile("cross-pod-load", {});
  const options = runOptions(profile);

  it("gives each subscriber VU connectionsPerVu connections: 300 connections make 2 VUs of one long iteration", () => {
    expect(options.scenarios?.subscribers).toMatchObject({
      executor: "per-vu-iterations",
      exec: "subscribers",
      vus: 2,
      iterations: 1,
    });
  });

  it("starts triggers at the profile's rate once the ramp and a settle second are over", () => {
    expect(options.scenarios?.publishers).toMatchObject({
      executor: "constant-arrival-rate",
      exec: "publishers",
      rate: 20,
      timeUnit: "1s",
      duration: "30s",
      startTime: "4s",
    });
  });

  it("spreads a fractional trigger rate over 1000 s, which k6's integer rate needs", () => {
    const slow = runOptions(resolveProfile("cross-pod-load", { triggerRate: 0.5 }));
    expect(slow.scenarios?.publishers).toMatchObject({ rate: 500, timeUnit: "1000s" });
  });

  it("passes the profile's thresholds to k6 for the metrics k6 emits", () => {
    expect(options.thresholds).toEqual({
      crosspod_lost: ["count==0"],
      crosspod_out_of_order: ["count==0"],
      crosspod_duplicates: ["count==0"],
      crosspod_fanout_latency: ["p(99)<250"],
    });
  });

  it("leaves thresholds on crosspod_delivery to the report, since k6 has no such metric", () => {
    expect(k6Thresholds({ crosspod_delivery: ["rate>0.999"], crosspod_lost: ["count==0"] })).toEqual({
      crosspod_lost: ["count==0"],
    });
  });
});

describe("runTiming", () => {
  it("holds subscribers through the ramp, a settle second, publishing and the drain", () => {
    const timing = runTiming(resolveProfile("cross-pod-load", {}));
    expect(timing).toMatchObject({
      publishStartSeconds: 4,
      holdSeconds: 39,
      subscriberVus: 2,
      bucketSeconds: 1,
    });
  });

  it("plans one trigger per tick before the publishers' duration ends, as k6's constant-arrival-rate starts them", () => {
    expect(runTiming(resolveProfile("cross-pod-load", {})).plannedTriggers).toBe(600);
    expect(
      runTiming(resolveProfile("cross-pod-load", { triggerRate: 0.5, durationSeconds: 3 })).plannedTriggers,
    ).toBe(2);
    expect(
      runTiming(resolveProfile("cross-pod-load", { triggerRate: 30, durationSeconds: 8.3 })).plannedTriggers,
    ).toBe(249);
  });

  it("waits for publishers until k6 has stopped them: their duration plus gracefulStop, within the subscribers' maxDuration", () => {
    const profile = resolveProfile("cross-pod-load", {});
    const timing = runTiming(profile);
    expect(timing).toMatchObject({ publishEndSeconds: 34, publishDeadlineSeconds: 44 });
    const options = runOptions(profile);
    expect(options.scenarios?.publishers).toMatchObject({ gracefulStop: "10s" });
    expect(options.scenarios?.subscribers).toMatchObject({ maxDuration: "109s" });
  });

  it("widens time-series buckets on long runs so a report keeps at most about 600 points", () => {
    const timing = runTiming(resolveProfile("soak", {}));
    expect(timing.bucketSeconds).toBe(4);
    expect(timing.holdSeconds / timing.bucketSeconds).toBeLessThanOrEqual(600);
  });

  it("rounds subscriber VUs up so every connection has a VU", () => {
    expect(runTiming(resolveProfile("spike", { connections: 101, connectionsPerVu: 50 })).subscriberVus).toBe(
      3,
    );
  });
});
