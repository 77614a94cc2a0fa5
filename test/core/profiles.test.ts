import { describe, expect, it } from "vitest";
import {
  ProfileError,
  parseDuration,
  parseProfile,
  profileOverridesFromEnv,
  profiles,
  resolveProfile,
} from "../../lib/core/profiles.js";

function errorOf(work: () => unknown): ProfileError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return error as ProfileError;
  }
  throw new Error("expected a ProfileError");
}

describe("built-in profiles", () => {
  it("define cross-pod-load as 300 connections, 3 s ramp, 20/s for 30 s, 5 s drain, with the delivery invariants", () => {
    expect(resolveProfile("cross-pod-load", {})).toEqual({
      name: "cross-pod-load",
      connections: 300,
      rampSeconds: 3,
      triggerRate: 20,
      durationSeconds: 30,
      drainSeconds: 5,
      triggerPod: "round-robin",
      connectionsPerVu: 200,
      thresholds: {
        crosspod_lost: ["count==0"],
        crosspod_out_of_order: ["count==0"],
        crosspod_duplicates: ["count==0"],
        crosspod_fanout_latency: ["p(99)<250"],
      },
    });
  });

  it("define soak and spike with their shapes", () => {
    expect(resolveProfile("soak", {})).toMatchObject({
      connections: 1000,
      rampSeconds: 10,
      triggerRate: 10,
      durationSeconds: 1800,
      drainSeconds: 10,
    });
    expect(resolveProfile("spike", {})).toMatchObject({
      connections: 3000,
      rampSeconds: 5,
      triggerRate: 50,
      durationSeconds: 20,
      drainSeconds: 5,
    });
  });

  it("all pass the profile checks unchanged", () => {
    for (const profile of Object.values(profiles)) expect(parseProfile(profile)).toEqual(profile);
  });
});

describe("resolveProfile", () => {
  it("applies overrides and ignores undefined ones", () => {
    const profile = resolveProfile("cross-pod-load", {
      connections: 5000,
      triggerRate: undefined,
      triggerPod: "pod-b",
    });
    expect(profile).toMatchObject({ connections: 5000, triggerRate: 20, triggerPod: "pod-b" });
  });

  it("merges thresholds per metric; an empty list removes a metric's thresholds", () => {
    const profile = resolveProfile("cross-pod-load", {
      thresholds: { crosspod_fanout_latency: ["p(99)<100"], crosspod_duplicates: [] },
    });
    expect(profile.thresholds).toEqual({
      crosspod_lost: ["count==0"],
      crosspod_out_of_order: ["count==0"],
      crosspod_fanout_latency: ["p(99)<100"],
    });
  });

  it("never changes the built-in profiles", () => {
    const profile = resolveProfile("soak", { thresholds: { crosspod_lost: ["count<5"] } });
    profile.thresholds.crosspod_lost?.push("count<1");
    expect(profiles.soak.thresholds.crosspod_lost).toEqual(["count==0"]);
  });

  it.each([
    ["connections", { connections: 0 }, /connections: expected at least 1 connection \(got 0\)/],
    ["connections", { connections: 2.5 }, /expected a whole number/],
    ["triggerRate", { triggerRate: -1 }, /triggerRate: expected more than 0/],
    ["durationSeconds", { durationSeconds: 0 }, /durationSeconds/],
    ["rampSeconds", { rampSeconds: -2 }, /rampSeconds: expected 0 or more seconds/],
    ["drainSeconds", { drainSeconds: 1e9 }, /drainSeconds: expected at most an hour/],
    ["triggerPod", { triggerPod: "" }, /triggerPod/],
    ["connectionsPerVu", { connectionsPerVu: 0 }, /connectionsPerVu/],
    ["connections", { connections: "many" }, /connections: expected a number \(got "many"\)/],
    ["thresholds", { thresholds: { crosspod_lost: ["p(99)<1"] } }, /"p\(99\)<1" on crosspod_lost/],
    [
      "thresholds.crosspod_nope",
      { thresholds: { crosspod_nope: ["count==0"] } },
      /unknown metric "crosspod_nope"/,
    ],
    ["speed", { speed: 3 }, /unknown field "speed"/],
  ])("rejects a bad %s with a ProfileError naming it", (field, overrides, message) => {
    const error = errorOf(() => resolveProfile("cross-pod-load", overrides as never));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^profile "cross-pod-load": /);
    expect(error.field.startsWith(field.split(".")[0] as string)).toBe(true);
    expect(error.code).toBe("CROSSPOD_PROFILE");
  });

  it("rejects an unknown profile name, listing the known ones", () => {
    expect(errorOf(() => resolveProfile("stress", {})).message).toBe(
      'unknown profile "stress": expected one of cross-pod-load, soak, spike',
    );
  });
});

describe("parseProfile", () => {
  it("fills defaults for a complete custom profile", () => {
    expect(parseProfile({ name: "mine", connections: 3, triggerRate: 1, durationSeconds: 4 })).toEqual({
      name: "mine",
      connections: 3,
      rampSeconds: 0,
      triggerRate: 1,
      durationSeconds: 4,
      drainSeconds: 5,
      triggerPod: "round-robin",
      connectionsPerVu: 200,
      thresholds: {
        crosspod_lost: ["count==0"],
        crosspod_out_of_order: ["count==0"],
        crosspod_duplicates: ["count==0"],
      },
    });
  });

  it("names a missing required field", () => {
    const error = errorOf(() => parseProfile({ name: "mine", connections: 3, triggerRate: 1 }));
    expect(error.field).toBe("durationSeconds");
    expect(error.message).toBe('profile "mine": durationSeconds: expected a number of seconds (got nothing)');
  });
});

describe("profileOverridesFromEnv", () => {
  it("reads every CROSSPOD_* knob", () => {
    expect(
      profileOverridesFromEnv({
        CROSSPOD_CONNECTIONS: "5000",
        CROSSPOD_RATE: "50/s",
        CROSSPOD_DURATION: "2m",
        CROSSPOD_RAMP: "10",
        CROSSPOD_DRAIN: "1m30s",
        CROSSPOD_TRIGGER_POD: "pod-a",
        CROSSPOD_CONNECTIONS_PER_VU: "100",
        CROSSPOD_THRESHOLDS: '{"crosspod_lost":["count<3"]}',
        HOME: "/root",
      }),
    ).toEqual({
      connections: 5000,
      triggerRate: 50,
      durationSeconds: 120,
      rampSeconds: 10,
      drainSeconds: 90,
      triggerPod: "pod-a",
      connectionsPerVu: 100,
      thresholds: { crosspod_lost: ["count<3"] },
    });
  });

  it("treats unset and empty variables as no override", () => {
    expect(profileOverridesFromEnv({ CROSSPOD_CONNECTIONS: "", CROSSPOD_RATE: undefined })).toEqual({});
  });

  it.each([
    ["CROSSPOD_CONNECTIONS", "lots", /expected a whole number \(got "lots"\)/],
    ["CROSSPOD_CONNECTIONS", "0", /expected at least 1 connection/],
    ["CROSSPOD_RATE", "fast", /expected triggers per second/],
    ["CROSSPOD_DURATION", "soon", /invalid duration "soon"/],
    ["CROSSPOD_DURATION", "0s", /expected more than 0 seconds/],
    ["CROSSPOD_THRESHOLDS", "{not json", /expected JSON/],
    ["CROSSPOD_THRESHOLDS", '{"crosspod_lost":"count==0"}', /expected a list of expressions/],
    ["CROSSPOD_THRESHOLDS", '{"crosspod_lost":["count=0"]}', /"count=0" is malformed/],
  ])("rejects a bad %s=%s naming the variable", (variable, value, message) => {
    const error = errorOf(() => profileOverridesFromEnv({ [variable]: value }));
    expect(error.field).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});

describe("parseDuration", () => {
  it.each([
    ["30", 30],
    ["2.5", 2.5],
    ["30s", 30],
    ["2m", 120],
    ["1h", 3600],
    ["1h30m", 5400],
    ["1m30s", 90],
    ["500ms", 0.5],
    ["1.5s", 1.5],
    ["1d", 86_400],
    [" 10s ", 10],
  ])("reads %j as %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "s", "-5", "10 s", "5x", "1h-3m", "ten"])("rejects %j naming it", (text) => {
    expect(errorOf(() => parseDuration(text)).message).toContain(`"${text}"`);
  });
});
