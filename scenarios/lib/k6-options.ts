// A profile as k6 options: a `subscribers` scenario (per-vu-iterations, one long iteration per VU holding
// connectionsPerVu sockets) and a `publishers` scenario (constant-arrival-rate triggers) that starts once the
// ramp is over, plus thresholds. The timing plan is shared with the VU code so both agree on the timeline.
import type { Options, Scenario } from "k6/options";
import type { Profile } from "../../lib/core/profiles.js";
import { k6MetricNames } from "./k6-metric-names.js";

export interface RunTiming {
  /** Seconds from the start of the scenarios to the first trigger: the ramp plus a settle second. */
  publishStartSeconds: number;
  /** Seconds from the start of the scenarios until subscribers close: publishing, then the drain. */
  holdSeconds: number;
  subscriberVus: number;
  /** Width of one time-series point: 1 s, wider for long runs so a report keeps at most ~600 points. */
  bucketSeconds: number;
  /** How long a publisher waits for every connection's hello before triggering anyway. */
  barrierTimeoutSeconds: number;
}

/** Connections get a second after the ramp to finish their handshakes before the first trigger. */
const settleSeconds = 1;
const maxSeriesPoints = 600;

export function runTiming(profile: Profile): RunTiming {
  const publishStartSeconds = profile.rampSeconds + settleSeconds;
  const holdSeconds = publishStartSeconds + profile.durationSeconds + profile.drainSeconds;
  return {
    publishStartSeconds,
    holdSeconds,
    subscriberVus: Math.ceil(profile.connections / profile.connectionsPerVu),
    bucketSeconds: Math.max(1, Math.ceil(holdSeconds / maxSeriesPoints)),
    barrierTimeoutSeconds: Math.max(10, profile.rampSeconds),
  };
}

/** constant-arrival-rate takes an integer rate per time unit; fractional rates are spread over 1000 s. */
function arrivalRate(triggerRate: number): { rate: number; timeUnit: string } {
  return Number.isInteger(triggerRate)
    ? { rate: triggerRate, timeUnit: "1s" }
    : { rate: Math.round(triggerRate * 1000), timeUnit: "1000s" };
}

export function runOptions(profile: Profile): Options {
  const timing = runTiming(profile);
  const subscribers: Scenario = {
    executor: "per-vu-iterations",
    exec: "subscribers",
    vus: timing.subscriberVus,
    iterations: 1,
    // Room after the hold to close sockets, check every connection and upload the VU's figures.
    maxDuration: `${timing.holdSeconds + 60}s`,
    gracefulStop: "30s",
  };
  const publishers: Scenario = {
    executor: "constant-arrival-rate",
    exec: "publishers",
    ...arrivalRate(profile.triggerRate),
    duration: `${profile.durationSeconds}s`,
    startTime: `${timing.publishStartSeconds}s`,
    preAllocatedVUs: Math.max(2, Math.ceil(profile.triggerRate / 4)),
    maxVUs: Math.max(20, Math.ceil(profile.triggerRate * 2)),
    gracefulStop: "10s",
  };
  return {
    scenarios: { subscribers, publishers },
    thresholds: k6Thresholds(profile.thresholds),
    summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(99)", "p(99.9)"],
    setupTimeout: "60s",
    teardownTimeout: "60s",
  };
}

/** The profile's thresholds on metrics k6 emits; the rest (crosspod_delivery) are judged in the report. */
export function k6Thresholds(spec: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(spec).filter(([metric]) => k6MetricNames.includes(metric)));
}
