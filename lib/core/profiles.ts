// Workload profiles as data: the built-in cross-pod-load, soak and spike, and how flags, environment and
// profile files override them. Every knob is validated here once, with errors that name the knob. The checks
// are plain functions rather than a zod schema: k6 bundles resolve profiles too, and a VU compiles every
// byte of its bundle (zod alone was 750 KB of it).
import { parseDuration } from "./duration.js";
import { loadMetrics } from "./metric-names.js";
import { ProfileError } from "./profile-error.js";
import { validateThresholds } from "./thresholds.js";

export { ProfileError, parseDuration };

export interface Profile {
  name: string;
  connections: number;
  rampSeconds: number;
  /** Triggers per second, across all pods. */
  triggerRate: number;
  durationSeconds: number;
  drainSeconds: number;
  /** "round-robin" or a pod name. */
  triggerPod: string;
  /** k6 only: connections held by one subscriber VU. */
  connectionsPerVu: number;
  /** k6-style thresholds: {metric: [expression, …]}. */
  thresholds: Record<string, string[]>;
}

export type ProfileName = "cross-pod-load" | "soak" | "spike";

/** Delivery invariants every profile checks unless told otherwise: nothing lost, duplicated or reordered. */
const invariants: Record<string, string[]> = {
  [loadMetrics.lost]: ["count==0"],
  [loadMetrics.outOfOrder]: ["count==0"],
  [loadMetrics.duplicates]: ["count==0"],
};

const defaults = {
  rampSeconds: 0,
  drainSeconds: 5,
  triggerPod: "round-robin",
  // k6 compiles the bundle and builds a runtime per VU (in the emulator's V8 realm: ~16 ms and ~0.3 MB per
  // VU for the 250 KB bundle, ~86 ms and ~1.9 MB for the old 4 MB one; k6's interpreter costs more), while
  // a VU's event loop carries its connections' frames: 200 at 5 triggers/s is 1,000 frames/s, well within
  // one VU (a plain k6 script held 1,000 connections at 5/s in one VU). 3,000 connections: 15 VUs, not 60.
  connectionsPerVu: 200,
} as const;

const day = 86_400;

/** A knob's problem: where inside the knob (for thresholds) and what was expected. */
interface Problem {
  path: string[];
  message: string;
}

type Check = (value: unknown) => Problem | undefined;

const problem = (message: string, path: string[] = []): Problem => ({ path, message });

interface NumberRule {
  type: string;
  whole?: boolean;
  /** [bound, message]: the value must be at least (or, with above, more than) the bound. */
  min?: readonly [number, string];
  above?: readonly [number, string];
  max: readonly [number, string];
}

function numberCheck(rule: NumberRule): Check {
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return problem(rule.type);
    if (rule.whole && !Number.isInteger(value)) return problem("expected a whole number");
    if (rule.min && value < rule.min[0]) return problem(rule.min[1]);
    if (rule.above && value <= rule.above[0]) return problem(rule.above[1]);
    if (value > rule.max[0]) return problem(rule.max[1]);
    return undefined;
  };
}

function stringCheck(empty: string): Check {
  return (value) => {
    if (typeof value !== "string" || value.length === 0) return problem(empty);
    if (value.length > 64) return problem("expected at most 64 characters");
    return undefined;
  };
}

function checkThresholds(value: unknown): Problem | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return problem("expected {metric: [expression, …]}");
  }
  for (const [metric, expressions] of Object.entries(value)) {
    if (!Array.isArray(expressions)) return problem("expected a list of expressions", [metric]);
    const index = expressions.findIndex((expression) => typeof expression !== "string");
    if (index >= 0) return problem("expected an expression such as p(99)<250", [metric, String(index)]);
  }
  try {
    validateThresholds(value as Record<string, string[]>);
  } catch (error) {
    return problem((error as Error).message);
  }
  return undefined;
}

const fields = {
  name: stringCheck("expected a non-empty name"),
  connections: numberCheck({
    type: "expected a number",
    whole: true,
    min: [1, "expected at least 1 connection"],
    max: [1_000_000, "expected at most 1,000,000 connections"],
  }),
  rampSeconds: numberCheck({
    type: "expected a number of seconds",
    min: [0, "expected 0 or more seconds"],
    max: [day, "expected at most a day (86400 s)"],
  }),
  triggerRate: numberCheck({
    type: "expected triggers per second",
    above: [0, "expected more than 0 triggers per second"],
    max: [100_000, "expected at most 100000 triggers per second"],
  }),
  durationSeconds: numberCheck({
    type: "expected a number of seconds",
    above: [0, "expected more than 0 seconds"],
    max: [7 * day, "expected at most a week (604800 s)"],
  }),
  drainSeconds: numberCheck({
    type: "expected a number of seconds",
    min: [0, "expected 0 or more seconds"],
    max: [3600, "expected at most an hour (3600 s)"],
  }),
  triggerPod: stringCheck('expected "round-robin" or a pod name'),
  connectionsPerVu: numberCheck({
    type: "expected a number",
    whole: true,
    min: [1, "expected at least 1"],
    max: [10_000, "expected at most 10000"],
  }),
  thresholds: checkThresholds,
} satisfies Record<keyof Profile, Check>;

type ProfileField = keyof typeof fields;

/** Values a profile may leave out. */
const optional: Partial<Record<ProfileField, () => unknown>> = {
  rampSeconds: () => defaults.rampSeconds,
  drainSeconds: () => defaults.drainSeconds,
  triggerPod: () => defaults.triggerPod,
  connectionsPerVu: () => defaults.connectionsPerVu,
  thresholds: () => structuredCopy(invariants),
};

export const profiles: Record<ProfileName, Profile> = {
  "cross-pod-load": {
    name: "cross-pod-load",
    connections: 300,
    rampSeconds: 3,
    triggerRate: 20,
    durationSeconds: 30,
    drainSeconds: 5,
    triggerPod: defaults.triggerPod,
    connectionsPerVu: defaults.connectionsPerVu,
    thresholds: { ...invariants, [loadMetrics.fanoutLatency]: ["p(99)<250"] },
  },
  /**
   * Long and steady: memory and latency drift show up over half an hour. The drift bounds catch a leak of
   * a few KiB per threat, not V8 settling: a 10-minute soak of the reference backend (200 connections,
   * 10/s) measured pod RSS +130 to +166 MiB/h and fan-out p99 ×2.8 on a shared 2-core machine. Tighten them
   * (e.g. value<5 MiB/h) for soaks of hours, where a steady phase is long enough to resolve such slopes.
   */
  soak: {
    name: "soak",
    connections: 1000,
    rampSeconds: 10,
    triggerRate: 10,
    durationSeconds: 30 * 60,
    drainSeconds: 10,
    triggerPod: defaults.triggerPod,
    connectionsPerVu: defaults.connectionsPerVu,
    thresholds: {
      ...invariants,
      [loadMetrics.fanoutLatency]: ["p(99)<250"],
      crosspod_pod_rss_slope: ["value<250"],
      crosspod_fanout_p99_drift: ["value<3"],
    },
  },
  /** A connection storm: thousands connect within seconds, then triggers flow; latency may spike. */
  spike: {
    name: "spike",
    connections: 3000,
    rampSeconds: 5,
    triggerRate: 50,
    durationSeconds: 20,
    drainSeconds: 5,
    triggerPod: defaults.triggerPod,
    connectionsPerVu: defaults.connectionsPerVu,
    thresholds: { ...invariants, [loadMetrics.fanoutLatency]: ["p(99)<1000"] },
  },
};

function structuredCopy(spec: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(spec).map(([metric, expressions]) => [metric, [...expressions]]));
}

/** A value as the user wrote it: JSON, except YAML's .inf/.nan, which JSON.stringify would show as null. */
function describeGiven(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  }
  return JSON.stringify(value) ?? String(value);
}

/** The first bad knob of `value`, named as the user wrote it, or the profile with defaults filled. */
function checkProfile(value: unknown): { profile: Profile } | { field: string; message: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { field: "profile", message: "expected an object of knobs" };
  }
  const given = value as Record<string, unknown>;
  const profile: Record<string, unknown> = {};
  for (const field of Object.keys(fields) as ProfileField[]) {
    const raw = given[field];
    const filled = raw === undefined ? optional[field]?.() : raw;
    const found = fields[field](filled);
    if (found) {
      const name = [field, ...found.path].join(".");
      const shown = field === "thresholds" ? "" : ` (got ${describeGiven(raw)})`;
      return { field: name, message: `${name}: ${found.message}${shown}` };
    }
    profile[field] = field === "thresholds" ? structuredCopy(filled as Record<string, string[]>) : filled;
  }
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(fields, key));
  if (unknown.length > 0) {
    return {
      field: unknown.join(", "),
      message: `unknown field ${unknown.map((key) => `"${key}"`).join(", ")}: expected only ${Object.keys(fields).join(", ")}`,
    };
  }
  return { profile: profile as unknown as Profile };
}

/** Validates a complete profile (defaults fill ramp, drain, triggerPod, connectionsPerVu, thresholds). */
export function parseProfile(value: unknown): Profile {
  const checked = checkProfile(value);
  if ("profile" in checked) return checked.profile;
  const { field, message } = checked;
  const name = typeof value === "object" && value !== null ? (value as { name?: unknown }).name : undefined;
  throw new ProfileError(`${typeof name === "string" ? `profile "${name}"` : "profile"}: ${message}`, field);
}

function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(profiles, name);
}

/**
 * The built-in profile `name` with `overrides` applied (undefined values are ignored; thresholds merge per
 * metric, so an override replaces a metric's list and `[]` removes it). Throws ProfileError naming the field.
 */
export function resolveProfile(name: string, overrides: Partial<Profile>): Profile {
  if (!isProfileName(name)) {
    throw new ProfileError(
      `unknown profile "${name}": expected one of ${Object.keys(profiles).join(", ")}`,
      "name",
    );
  }
  const base = profiles[name];
  const merged: Record<string, unknown> = { ...base, thresholds: structuredCopy(base.thresholds) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    merged[key] =
      key === "thresholds" && typeof value === "object" && value !== null && !Array.isArray(value)
        ? { ...(merged.thresholds as Record<string, string[]>), ...value }
        : value;
  }
  const profile = parseProfile(merged);
  for (const [metric, expressions] of Object.entries(profile.thresholds)) {
    if (expressions.length === 0) delete profile.thresholds[metric];
  }
  return profile;
}

/** The CROSSPOD_* variable of each profile field both engines read (k6 runners get their profile this way). */
export const profileEnvNames = {
  connections: "CROSSPOD_CONNECTIONS",
  triggerRate: "CROSSPOD_RATE",
  durationSeconds: "CROSSPOD_DURATION",
  rampSeconds: "CROSSPOD_RAMP",
  drainSeconds: "CROSSPOD_DRAIN",
  triggerPod: "CROSSPOD_TRIGGER_POD",
  connectionsPerVu: "CROSSPOD_CONNECTIONS_PER_VU",
  thresholds: "CROSSPOD_THRESHOLDS",
} as const satisfies Partial<Record<ProfileField, string>>;

type EnvField = keyof typeof profileEnvNames;

function fromText(field: EnvField, text: string): unknown {
  const variable = profileEnvNames[field];
  switch (field) {
    case "connections":
    case "connectionsPerVu":
      if (!/^\d+$/.test(text))
        throw new ProfileError(`${variable}: expected a whole number (got "${text}")`, variable);
      return Number(text);
    case "triggerRate": {
      const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text);
      if (!match) {
        throw new ProfileError(
          `${variable}: expected triggers per second such as 20 or 20/s (got "${text}")`,
          variable,
        );
      }
      return Number(match[1]);
    }
    case "durationSeconds":
    case "rampSeconds":
    case "drainSeconds":
      try {
        return parseDuration(text);
      } catch (error) {
        throw new ProfileError(`${variable}: ${(error as Error).message}`, variable);
      }
    case "triggerPod":
      return text;
    case "thresholds":
      try {
        return JSON.parse(text);
      } catch {
        throw new ProfileError(
          `${variable}: expected JSON such as {"crosspod_lost":["count==0"]} (got ${JSON.stringify(text)})`,
          variable,
        );
      }
  }
}

/** Reads CROSSPOD_* variables (empty ones count as unset); a bad value throws ProfileError naming the variable. */
export function profileOverridesFromEnv(env: Record<string, string | undefined>): Partial<Profile> {
  const overrides: Record<string, unknown> = {};
  for (const field of Object.keys(profileEnvNames) as EnvField[]) {
    const variable = profileEnvNames[field];
    const text = env[variable]?.trim();
    if (text === undefined || text === "") continue;
    const value = fromText(field, text);
    const found = fields[field](value);
    if (found) throw new ProfileError(`${variable}: ${found.message} (got "${text}")`, variable);
    overrides[field] = value;
  }
  return overrides as Partial<Profile>;
}
