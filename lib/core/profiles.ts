// Workload profiles as data: the built-in cross-pod-load, soak and spike, and how flags, environment and
// profile files override them. Every knob is validated here once, with errors that name the knob.
import { z } from "zod";
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
  connectionsPerVu: 50,
} as const;

const day = 86_400;

const fields = {
  name: z.string().min(1, "expected a non-empty name").max(64, "expected at most 64 characters"),
  connections: z
    .number("expected a number")
    .int("expected a whole number")
    .min(1, "expected at least 1 connection")
    .max(1_000_000, "expected at most 1,000,000 connections"),
  rampSeconds: z
    .number("expected a number of seconds")
    .min(0, "expected 0 or more seconds")
    .max(day, "expected at most a day (86400 s)"),
  triggerRate: z
    .number("expected triggers per second")
    .positive("expected more than 0 triggers per second")
    .max(100_000, "expected at most 100000 triggers per second"),
  durationSeconds: z
    .number("expected a number of seconds")
    .positive("expected more than 0 seconds")
    .max(7 * day, "expected at most a week (604800 s)"),
  drainSeconds: z
    .number("expected a number of seconds")
    .min(0, "expected 0 or more seconds")
    .max(3600, "expected at most an hour (3600 s)"),
  triggerPod: z
    .string()
    .min(1, 'expected "round-robin" or a pod name')
    .max(64, "expected at most 64 characters"),
  connectionsPerVu: z
    .number("expected a number")
    .int("expected a whole number")
    .min(1, "expected at least 1")
    .max(10_000, "expected at most 10000"),
  thresholds: z
    .record(
      z.string(),
      z.array(z.string(), "expected a list of expressions"),
      "expected {metric: [expression, …]}",
    )
    .superRefine((spec, context) => {
      try {
        validateThresholds(spec);
      } catch (error) {
        context.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
};

type ProfileField = keyof typeof fields;

export const profileSchema: z.ZodType<Profile> = z
  .object({
    name: fields.name,
    connections: fields.connections,
    rampSeconds: fields.rampSeconds.default(defaults.rampSeconds),
    triggerRate: fields.triggerRate,
    durationSeconds: fields.durationSeconds,
    drainSeconds: fields.drainSeconds.default(defaults.drainSeconds),
    triggerPod: fields.triggerPod.default(defaults.triggerPod),
    connectionsPerVu: fields.connectionsPerVu.default(defaults.connectionsPerVu),
    thresholds: fields.thresholds.default(() => structuredCopy(invariants)),
  })
  .strict();

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
  /** Long and steady: memory and latency drift show up over half an hour. */
  soak: {
    name: "soak",
    connections: 1000,
    rampSeconds: 10,
    triggerRate: 10,
    durationSeconds: 30 * 60,
    drainSeconds: 10,
    triggerPod: defaults.triggerPod,
    connectionsPerVu: defaults.connectionsPerVu,
    thresholds: { ...invariants, [loadMetrics.fanoutLatency]: ["p(99)<250"] },
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

function firstProblem(error: z.ZodError, value: unknown): { field: string; message: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: "profile", message: "invalid" };
  if (issue.code === "unrecognized_keys") {
    return {
      field: issue.keys.join(", "),
      message: `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}: expected only ${Object.keys(fields).join(", ")}`,
    };
  }
  const field = issue.path.map(String).join(".") || "profile";
  const top = issue.path[0];
  if (top === "thresholds" || typeof value !== "object" || value === null || typeof top !== "string") {
    return { field, message: `${field}: ${issue.message}` };
  }
  const given = (value as Record<string, unknown>)[top];
  return {
    field,
    message: `${field}: ${issue.message} (got ${describeGiven(given)})`,
  };
}

/** Validates a complete profile (defaults fill ramp, drain, triggerPod, connectionsPerVu, thresholds). */
export function parseProfile(value: unknown): Profile {
  const parsed = profileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, message } = firstProblem(parsed.error, value);
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

const envNames = {
  connections: "CROSSPOD_CONNECTIONS",
  triggerRate: "CROSSPOD_RATE",
  durationSeconds: "CROSSPOD_DURATION",
  rampSeconds: "CROSSPOD_RAMP",
  drainSeconds: "CROSSPOD_DRAIN",
  triggerPod: "CROSSPOD_TRIGGER_POD",
  connectionsPerVu: "CROSSPOD_CONNECTIONS_PER_VU",
  thresholds: "CROSSPOD_THRESHOLDS",
} as const satisfies Partial<Record<ProfileField, string>>;

type EnvField = keyof typeof envNames;

function fromText(field: EnvField, text: string): unknown {
  const variable = envNames[field];
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
  for (const field of Object.keys(envNames) as EnvField[]) {
    const variable = envNames[field];
    const text = env[variable]?.trim();
    if (text === undefined || text === "") continue;
    const parsed = fields[field].safeParse(fromText(field, text));
    if (!parsed.success) {
      throw new ProfileError(
        `${variable}: ${parsed.error.issues[0]?.message ?? "invalid"} (got "${text}")`,
        variable,
      );
    }
    overrides[field] = parsed.data;
  }
  return overrides as Partial<Profile>;
}
