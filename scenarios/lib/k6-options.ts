// A profile as k6 options: a `subscribers` scenario (per-vu-iterations, one long iteration per VU holding
// connectionsPerVu sockets) and a `publishers` scenario (constant-arrival-rate triggers) that starts once the
// ramp is over, plus thresholds. The timing plan is shared with the VU code so both agree on the timeline:
// how many triggers the publishers start, and by when k6 has stopped every one of them.
import type { Options, Scenario } from "k6/options";
import type { Profile } from "../../lib/core/profiles.js";
import { k6MetricNames } from "./k6-metric-names.js";

export interface RunTiming {
  /** Seconds from the start of the scenarios to the first trigger: the ramp plus a settle second. */
  publishStartSeconds: number;
  /** Seconds from the start of the scenarios to the end of the publishers' schedule. */
  publishEndSeconds: number;
  /** Trigger iterations the publishers scenario starts: one per tick of its rate in [start, end). */
  plannedTriggers: number;
  /**
   * Seconds from the start of the scenarios after which k6 has stopped every publisher iteration (its
   * duration plus gracefulStop): a trigger that has not settled by then never will.
   */
  publishDeadlineSeconds: number;
  /** Seconds from the start of the scenarios until subscribers close when publishing keeps to schedule. */
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
/** How long k6 lets a publisher iteration under way finish once the publishers' duration is over. */
const publishersGracefulStopSeconds = 10;

/** constant-arrival-rate takes an integer rate per time unit; fractional rates are spread over 1000 s. */
function arrivalRate(triggerRate: number): { rate: number; timeUnitSeconds: number } {
  return Number.isInteger(triggerRate)
    ? { rate: triggerRate, timeUnitSeconds: 1 }
    : { rate: Math.round(triggerRate * 1000), timeUnitSeconds: 1000 };
}

/** k6 starts an iteration at every multiple of timeUnit / rate before the duration ends. */
function plannedIterations(triggerRate: number, durationSeconds: number): number {
  const { rate, timeUnitSeconds } = arrivalRate(triggerRate);
  // The epsilon keeps a product that floating point puts a hair above a whole number whole (8.3 s * 30/s).
  return Math.max(0, Math.ceil((durationSeconds * rate) / timeUnitSeconds - 1e-9));
}

export function runTiming(profile: Profile): RunTiming {
  const publishStartSeconds = profile.rampSeconds + settleSeconds;
  const publishEndSeconds = publishStartSeconds + profile.durationSeconds;
  const holdSeconds = publishEndSeconds + profile.drainSeconds;
  return {
    publishStartSeconds,
    publishEndSeconds,
    plannedTriggers: plannedIterations(profile.triggerRate, profile.durationSeconds),
    publishDeadlineSeconds: publishEndSeconds + publishersGracefulStopSeconds,
    holdSeconds,
    subscriberVus: Math.ceil(profile.connections / profile.connectionsPerVu),
    bucketSeconds: Math.max(1, Math.ceil(holdSeconds / maxSeriesPoints)),
    barrierTimeoutSeconds: Math.max(10, profile.rampSeconds),
  };
}

export function runOptions(profile: Profile): Options {
  const timing = runTiming(profile);
  const subscribers: Scenario = {
    executor: "per-vu-iterations",
    exec: "subscribers",
    vus: timing.subscriberVus,
    iterations: 1,
    // Subscribers hold until every trigger settled (at the latest when k6 stops the publishers), then
    // drain; after that, room to close sockets, check every connection and upload the VU's figures.
    maxDuration: `${timing.publishDeadlineSeconds + profile.drainSeconds + 60}s`,
    gracefulStop: "30s",
  };
  const { rate, timeUnitSeconds } = arrivalRate(profile.triggerRate);
  const publishers: Scenario = {
    executor: "constant-arrival-rate",
    exec: "publishers",
    rate,
    timeUnit: `${timeUnitSeconds}s`,
    duration: `${profile.durationSeconds}s`,
    startTime: `${timing.publishStartSeconds}s`,
    preAllocatedVUs: Math.max(2, Math.ceil(profile.triggerRate / 4)),
    maxVUs: Math.max(20, Math.ceil(profile.triggerRate * 2)),
    gracefulStop: `${publishersGracefulStopSeconds}s`,
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
