// `crosspod run` configuration: flags, CROSSPOD_* environment and an optional profile file, validated once
// here into a RunConfig. Profile knobs go through lib/core's profile schema whichever way they came in
// (precedence: flag > environment > profile file > built-in profile); every error names its source.

import { z } from "zod";
import { type CpuSplit, cpuListPattern, defaultCpuSplit, tasksetAvailable } from "../cluster/cpu-pinning.js";
import {
  type DeliveryMode,
  deliveryModes,
  maxReplicas,
  podName,
  type RedisMode,
  redisModes,
} from "../cluster/local-cluster.js";
import type { Target } from "../core/adapters/protocol-adapter.js";
import { type ChaosStep, checkChaosSchedule, parseChaosSchedule } from "../core/chaos-schedule.js";
import { type DriftSettings, defaultDriftSettings } from "../core/drift-figures.js";
import { endpointUrlProblem, redactUrlCredentials } from "../core/endpoint-url.js";
import { loadMetrics } from "../core/metric-names.js";
import {
  type Profile,
  parseDuration,
  parseProfile,
  profileOverridesFromEnv,
  profiles,
  resolveProfile,
} from "../core/profiles.js";
import {
  acknowledgedLostMetric,
  judgesDrift,
  rejoinFailuresMetric,
  triggerFailuresMetric,
  triggerFailureThresholds,
  validateThresholds,
} from "../core/thresholds.js";
import {
  defaultSaturationLimits,
  lagLimitForThresholds,
  type SaturationLimits,
} from "../engine/generator-health.js";
import { type OutputSpec, parseOutputSpec } from "../engine/outputs/output-spec.js";
import { CLIError } from "./cli-error.js";
import { type EngineRequest, engineNames } from "./engine-choice.js";
import { parseFlags } from "./flag-error.js";
import { portFlag } from "./port-flag.js";
import { readConfigFile } from "./read-config-file.js";
import { readTargetFile } from "./read-target-file.js";
import { resolveSplit, type SplitConfig } from "./split-options.js";

export interface RunConfig {
  profile: Profile;
  engine: EngineRequest;
  /** Pod base URLs; empty means: start a local cluster (unless `target` is given). */
  targets: string[];
  /** --target: another backend's protocol adapter and pods, from a target file. */
  target: Target | undefined;
  targetFile: string | undefined;
  /** The validated target file as JSON, for the k6 engine (CROSSPOD_TARGET). */
  targetJson: string | undefined;
  replicas: number;
  delivery: DeliveryMode;
  /** --redis: the local cluster's Redis, one server or a Sentinel group. */
  redisMode: RedisMode;
  /** --out, in the order given: json/csv files, prometheus-rw URLs. */
  outputs: OutputSpec[];
  htmlFile: string | undefined;
  /** --dashboard[=PORT]: the live page's port (0 = any free port); undefined = no dashboard. */
  dashboardPort: number | undefined;
  metricsPort: number | undefined;
  prometheus: boolean;
  /** --prometheus-keep: how long Prometheus outlives the run; undefined = until Ctrl-C on a terminal, else not. */
  prometheusKeepSeconds: number | undefined;
  saturationLimits: SaturationLimits;
  /** CPUs for the generator and the local cluster (taskset), when they are kept apart. */
  cpus: CpuSplit | undefined;
  /** Headless Chromium console pages to open beside the WebSocket load; 0 = none. */
  browsers: number;
  /** k6 engine: Prometheus remote-write endpoint for k6's metrics. */
  prometheusRemoteWrite: string | undefined;
  /** --chaos: steps against the local cluster, timed from the start of the trigger phase; [] = none. */
  chaos: ChaosStep[];
  chaosText: string | undefined;
  /** --traces: collect the pods' and the engine's spans and report the slowest sampled threats. */
  traces: boolean;
  /** --segment / --runners: the run split over runners with execution segments. */
  split: SplitConfig;
  /** Drift sampling (pods, Redis, fan-out p99 windows); undefined = off. On when a threshold judges drift or --drift. */
  drift: DriftSettings | undefined;
  /** --checkpoint: directory the partial report is written to while the run goes on. */
  checkpointDir: string | undefined;
  checkpointIntervalSeconds: number;
  /** `crosspod k6 … -- <flags>`: flags passed to `k6 run`. */
  k6Flags?: string[];
}

/** Commander's option keys -> the flag a user typed, for error messages. */
const flagNames = {
  engine: "--engine",
  targets: "--targets",
  target: "--target",
  connections: "--connections",
  rate: "--rate",
  duration: "--duration",
  ramp: "--ramp",
  drain: "--drain",
  triggerPod: "--trigger-pod",
  delivery: "--delivery",
  redis: "--redis",
  replicas: "--replicas",
  threshold: "--threshold",
  out: "--out",
  dashboard: "--dashboard",
  html: "--html",
  metricsPort: "--metrics-port",
  profileFile: "--profile-file",
  prometheus: "--prometheus",
  prometheusKeep: "--prometheus-keep",
  maxGeneratorCpu: "--max-generator-cpu",
  maxGeneratorLag: "--max-generator-lag",
  generatorCpus: "--generator-cpus",
  clusterCpus: "--cluster-cpus",
  browsers: "--browsers",
  prometheusRw: "--prometheus-rw",
  chaos: "--chaos",
  traces: "--traces",
  segment: "--segment",
  runId: "--run-id",
  coordinate: "--coordinate",
  runners: "--runners",
  drift: "--drift",
  driftWarmup: "--drift-warmup",
  driftWindow: "--drift-window",
  driftInterval: "--drift-interval",
  checkpoint: "--checkpoint",
  checkpointEvery: "--checkpoint-every",
} as const;

const haThresholds: Record<string, string[]> = { [acknowledgedLostMetric]: ["count==0"] };

/**
 * Under chaos the profile's latency bound judges the steady phase, not the spike while a pod is down, and
 * refused triggers are judged in the steady phase too; loss stays judged over the whole run.
 */
function steadyStateThresholds(base: Record<string, string[]>): Record<string, string[]> {
  const latency = base[loadMetrics.fanoutLatency] ?? [];
  return {
    [`${triggerFailuresMetric}{phase:steady}`]: [...(triggerFailureThresholds[triggerFailuresMetric] ?? [])],
    ...(latency.length > 0 ? { [`${loadMetrics.fanoutLatency}{phase:steady}`]: [...latency] } : {}),
  };
}

/** The profile's thresholds in a chaos run: the built-in latency bound moves to the steady phase. */
function chaosProfileThresholds(base: Profile, profile: Profile): Record<string, string[]> {
  const thresholds = { ...profile.thresholds };
  const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
    JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  // Only when nobody overrode it: a latency bound the user set judges the whole run, as they asked.
  if (same(thresholds[loadMetrics.fanoutLatency], base.thresholds[loadMetrics.fanoutLatency])) {
    delete thresholds[loadMetrics.fanoutLatency];
  }
  return thresholds;
}

function copyThresholds(spec: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(spec).map(([metric, expressions]) => [metric, [...expressions]]));
}

function usage(message: string): CLIError {
  return new CLIError(message, "CROSSPOD_USAGE");
}

const optionalText = z.string().min(1, "expected a value").optional();

const runFlagsSchema = z
  .object({
    engine: z.enum(engineNames, `expected one of ${engineNames.join(", ")}`).default("auto"),
    targets: optionalText,
    target: optionalText,
    connections: optionalText,
    rate: optionalText,
    duration: optionalText,
    ramp: optionalText,
    drain: optionalText,
    triggerPod: optionalText,
    delivery: z.enum(deliveryModes, `expected one of ${deliveryModes.join(", ")}`).optional(),
    redis: z.enum(redisModes, `expected one of ${redisModes.join(", ")}`).optional(),
    replicas: z
      .string()
      .regex(/^\d+$/, `expected a whole number from 1 to ${maxReplicas}`)
      .transform(Number)
      .pipe(z.number().min(1, "expected at least 1").max(maxReplicas, `expected at most ${maxReplicas}`))
      .optional(),
    threshold: z.array(z.string()).default([]),
    out: z.array(z.string()).default([]),
    html: optionalText,
    dashboard: z.union([z.literal(true), portFlag]).optional(),
    metricsPort: portFlag.optional(),
    profileFile: optionalText,
    prometheus: z.boolean().default(false),
    prometheusKeep: optionalText,
    maxGeneratorCpu: optionalText,
    maxGeneratorLag: optionalText,
    generatorCpus: optionalText,
    clusterCpus: optionalText,
    browsers: z
      .string()
      .regex(/^\d+$/, "expected a whole number of pages from 0 to 50")
      .transform(Number)
      .pipe(z.number().max(50, "expected at most 50 pages"))
      .optional(),
    prometheusRw: z
      .string()
      .regex(/^https?:\/\/\S+$/, "expected the remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write")
      .optional(),
    chaos: optionalText,
    traces: z.boolean().default(false),
    segment: optionalText,
    runId: optionalText,
    coordinate: optionalText,
    runners: optionalText,
    drift: z.boolean().default(false),
    driftWarmup: optionalText,
    driftWindow: optionalText,
    driftInterval: optionalText,
    checkpoint: optionalText,
    checkpointEvery: optionalText,
  })
  .strict();

function parseTargets(text: string): string[] {
  const urls = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (urls.length === 0)
    throw usage(`--targets: expected pod base URLs such as http://127.0.0.1:8080 (got "${text}")`);
  for (const url of urls) {
    const problem = endpointUrlProblem(url, ["http", "https"]);
    if (problem !== undefined) {
      // The pod's base URL, never its /ws URL; credentials in it are never echoed.
      throw usage(
        `--targets: "${redactUrlCredentials(url)}": ${problem} (the pod's base URL such as http://127.0.0.1:8080)`,
      );
    }
  }
  return urls;
}

function number(flag: string, text: string, pattern: RegExp, expected: string): number {
  const match = pattern.exec(text.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isFinite(value)) throw usage(`${flag}: expected ${expected} (got "${text}")`);
  return value;
}

function seconds(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw usage(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Profile knobs given as flags, each checked on its own against the profile so errors name the flag. */
function flagOverrides(base: Profile, flags: z.infer<typeof runFlagsSchema>): Partial<Profile> {
  const overrides: Array<[flag: string, value: Partial<Profile>]> = [];
  if (flags.connections !== undefined) {
    const connections = number(
      "--connections",
      flags.connections,
      /^(\d+)$/,
      "a whole number of connections",
    );
    overrides.push(["--connections", { connections }]);
  }
  if (flags.rate !== undefined) {
    const triggerRate = number(
      "--rate",
      flags.rate,
      /^(\d+(?:\.\d+)?)(?:\/s)?$/,
      "triggers per second, e.g. 20 or 20/s",
    );
    overrides.push(["--rate", { triggerRate }]);
  }
  if (flags.duration !== undefined)
    overrides.push(["--duration", { durationSeconds: seconds("--duration", flags.duration) }]);
  if (flags.ramp !== undefined) overrides.push(["--ramp", { rampSeconds: seconds("--ramp", flags.ramp) }]);
  if (flags.drain !== undefined)
    overrides.push(["--drain", { drainSeconds: seconds("--drain", flags.drain) }]);
  if (flags.triggerPod !== undefined) overrides.push(["--trigger-pod", { triggerPod: flags.triggerPod }]);
  for (const [flag, override] of overrides) checked(() => withOverrides(base, override), flag);
  return Object.assign({}, ...overrides.map(([, override]) => override));
}

/** `base` with `overrides` applied as resolveProfile does: thresholds replace per metric, [] removes one. */
function withOverrides(base: Profile, overrides: Partial<Profile>): Profile {
  const thresholds = Object.fromEntries(
    Object.entries({ ...base.thresholds, ...overrides.thresholds }).filter(
      ([, expressions]) => expressions.length > 0,
    ),
  );
  return parseProfile({ ...base, ...overrides, thresholds });
}

function checked<T>(work: () => T, source: string): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CLIError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // Environment errors already name their variable; the others get the flag or file in front.
    throw usage(
      source === "environment" || source === "profile" || source === "output"
        ? message
        : `${source}: ${message}`,
    );
  }
}

const profileFileSchema = z.record(z.string(), z.unknown());

/** A YAML or JSON file of profile fields (a complete profile, or overrides of the named built-in one). */
function readProfileFile(path: string): Record<string, unknown> {
  const value = readConfigFile(path, (message) => {
    throw usage(`--profile-file ${path}: ${message}`);
  });
  const parsed = profileFileSchema.safeParse(value);
  if (!parsed.success)
    throw usage(`--profile-file ${path}: expected a mapping of profile fields at the top level`);
  return parsed.data;
}

/** The built-in profile (with the file's fields applied), or the complete profile the file defines. */
function baseProfile(name: string, profileFile: string | undefined): Profile {
  if (profileFile === undefined) return checked(() => resolveProfile(name, {}), "profile");
  const source = `--profile-file ${profileFile}`;
  const fields = readProfileFile(profileFile);
  if (typeof fields.name === "string" && fields.name !== name) {
    throw usage(`${source}: its name "${fields.name}" does not match the profile argument "${name}"`);
  }
  return Object.hasOwn(profiles, name)
    ? checked(() => resolveProfile(name, fields as Partial<Profile>), source)
    : checked(() => parseProfile({ ...fields, name }), source);
}

function parseThresholdFlags(values: readonly string[]): Record<string, string[]> {
  const spec: Record<string, string[]> = {};
  for (const value of values) {
    // A tagged key (crosspod_lost{phase:fault}:count==0) has a colon of its own inside the braces.
    const colon = value.indexOf(":", value.includes("}") ? value.indexOf("}") : 0);
    if (colon <= 0 || colon === value.length - 1) {
      throw usage(
        `--threshold: expected metric:expression such as crosspod_fanout_latency:p(99)<250 (got "${value}")`,
      );
    }
    const metric = value.slice(0, colon).trim();
    const expression = value.slice(colon + 1).trim();
    spec[metric] = [...(spec[metric] ?? []), expression];
  }
  checked(() => validateThresholds(spec), "--threshold");
  return spec;
}

export function resolveRunConfig(
  profileName: string,
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
): RunConfig {
  const flags = parseFlags(runFlagsSchema, raw, flagNames);
  const base = baseProfile(profileName, flags.profileFile);
  const fromEnv = checked(() => profileOverridesFromEnv(env), "environment");
  checked(() => withOverrides(base, fromEnv), "environment");
  const profile = withOverrides(base, { ...fromEnv, ...flagOverrides(base, flags) });
  const thresholds = {
    ...(flags.chaos === undefined ? {} : steadyStateThresholds(base.thresholds)),
    // Refused triggers are judged, not discarded; a chaos run refuses some by design, so only when steady.
    ...(flags.chaos === undefined ? copyThresholds(triggerFailureThresholds) : {}),
    ...(flags.chaos === undefined ? profile.thresholds : chaosProfileThresholds(base, profile)),
    // With Redis HA under chaos a failover may lose triggers already answered 202: judge that by default.
    ...(flags.redis === "sentinel" && flags.chaos !== undefined ? haThresholds : {}),
    // A restarted pod must serve again: a trigger (when they rotate over the pods) and a client.
    ...(flags.chaos !== undefined && profile.triggerPod === "round-robin"
      ? { [rejoinFailuresMetric]: ["count==0"] }
      : {}),
    ...parseThresholdFlags(flags.threshold),
  };

  const targets = flags.targets === undefined ? [] : parseTargets(flags.targets);
  if (targets.length > 0) {
    for (const key of ["delivery", "redis", "replicas"] as const) {
      if (flags[key] !== undefined) {
        throw usage(
          `${flagNames[key]} applies only to the auto-started local cluster; drop it or drop --targets`,
        );
      }
    }
  }
  const loaded = flags.target === undefined ? undefined : readTargetFile(flags.target, env);
  const target = loaded?.target;
  if (target !== undefined) {
    for (const key of ["targets", "delivery", "redis", "replicas", "chaos", "browsers"] as const) {
      if (flags[key] !== undefined) {
        throw usage(`${flagNames[key]} cannot be combined with --target: the target file names the pods`);
      }
    }
  }
  const prometheusKeepSeconds =
    flags.prometheusKeep === undefined ? undefined : keepSeconds(flags.prometheusKeep, flags.prometheus);
  const saturationLimits: SaturationLimits = {
    ...defaultSaturationLimits,
    eventLoopLagP99Ms: lagLimitForThresholds(thresholds),
  };
  if (flags.maxGeneratorCpu !== undefined) {
    const percent = number(
      "--max-generator-cpu",
      flags.maxGeneratorCpu,
      /^(\d+(?:\.\d+)?)%?$/,
      "a percentage of one core, e.g. 80",
    );
    saturationLimits.cpuFraction = percent / 100;
  }
  if (flags.maxGeneratorLag !== undefined) {
    saturationLimits.eventLoopLagP99Ms = number(
      "--max-generator-lag",
      flags.maxGeneratorLag,
      /^(\d+(?:\.\d+)?)(?:ms)?$/,
      "milliseconds, e.g. 10 or 10ms",
    );
  }
  return {
    profile: { ...profile, thresholds },
    saturationLimits,
    cpus: cpuSplit(flags, targets.length === 0 && target === undefined),
    engine: flags.engine,
    targets,
    target,
    targetFile: flags.target,
    targetJson: loaded === undefined ? undefined : JSON.stringify(loaded.file),
    replicas: flags.replicas ?? 3,
    browsers: flags.browsers ?? 0,
    delivery: flags.delivery ?? "recover",
    redisMode: flags.redis ?? "single",
    outputs: flags.out.map((text) => checked(() => parseOutputSpec(text), "output")),
    htmlFile: flags.html,
    dashboardPort: flags.dashboard === true ? 0 : flags.dashboard,
    metricsPort: flags.metricsPort ?? (flags.prometheus ? 0 : undefined),
    prometheus: flags.prometheus,
    prometheusKeepSeconds,
    prometheusRemoteWrite: flags.prometheusRw,
    chaos: flags.chaos === undefined ? [] : chaosSteps(flags.chaos, targets, flags.replicas ?? 3, profile),
    chaosText: flags.chaos,
    traces: flags.traces,
    split: resolveSplit(flags, {
      engine: flags.engine,
      hasTargets: targets.length > 0 || target !== undefined,
      chaos: flags.chaos !== undefined,
      browsers: (flags.browsers ?? 0) > 0,
    }),
    drift: driftSettings(flags, thresholds, profile.durationSeconds),
    checkpointDir: flags.checkpoint,
    checkpointIntervalSeconds: checkpointInterval(flags),
  };
}

/**
 * --generator-cpus / --cluster-cpus: both, or neither for the default split on a machine with few CPUs
 * (when taskset is there); "off" in either runs everything anywhere. Only for the auto-started cluster.
 */
function cpuSplit(flags: z.infer<typeof runFlagsSchema>, localCluster: boolean): CpuSplit | undefined {
  const { generatorCpus, clusterCpus } = flags;
  if (generatorCpus === "off" || clusterCpus === "off") return undefined;
  if (generatorCpus === undefined && clusterCpus === undefined) {
    return localCluster && tasksetAvailable() ? defaultCpuSplit() : undefined;
  }
  if (!localCluster) {
    throw usage("--generator-cpus and --cluster-cpus apply only to the auto-started local cluster");
  }
  if (generatorCpus === undefined || clusterCpus === undefined) {
    throw usage("--generator-cpus and --cluster-cpus go together (or either is off)");
  }
  for (const [flag, value] of [
    ["--generator-cpus", generatorCpus],
    ["--cluster-cpus", clusterCpus],
  ] as const) {
    if (!cpuListPattern.test(value)) {
      throw usage(`${flag}: expected a CPU list such as 1, 0-2 or 0,2, or off (got "${value}")`);
    }
  }
  return { generator: generatorCpus, cluster: clusterCpus };
}

/** Every five minutes by default: a killed soak loses at most that much. */
const defaultCheckpointSeconds = 300;

function checkpointInterval(flags: z.infer<typeof runFlagsSchema>): number {
  if (flags.checkpointEvery === undefined) return defaultCheckpointSeconds;
  if (flags.checkpoint === undefined)
    throw usage("--checkpoint-every applies with --checkpoint DIR; add it or drop --checkpoint-every");
  const value = seconds("--checkpoint-every", flags.checkpointEvery);
  if (value < 1) throw usage(`--checkpoint-every: expected at least 1s (got "${flags.checkpointEvery}")`);
  return value;
}

/** Drift is sampled when a threshold judges it (the soak profile's do) or --drift asks; flags reshape it. */
function driftSettings(
  flags: z.infer<typeof runFlagsSchema>,
  thresholds: Record<string, string[]>,
  durationSeconds: number,
): DriftSettings | undefined {
  const tuned = [flags.driftWarmup, flags.driftWindow, flags.driftInterval].some((v) => v !== undefined);
  if (!flags.drift && !tuned && !judgesDrift(thresholds)) return undefined;
  const settings = defaultDriftSettings(durationSeconds);
  if (flags.driftWarmup !== undefined) settings.warmupSeconds = seconds("--drift-warmup", flags.driftWarmup);
  for (const [flag, text, key] of [
    ["--drift-window", flags.driftWindow, "windowSeconds"],
    ["--drift-interval", flags.driftInterval, "sampleIntervalSeconds"],
  ] as const) {
    if (text === undefined) continue;
    const value = seconds(flag, text);
    if (value < 0.5) throw usage(`${flag}: expected at least 0.5s (got "${text}")`);
    settings[key] = value;
  }
  if (settings.warmupSeconds >= durationSeconds) {
    throw usage(
      `--drift-warmup: ${settings.warmupSeconds} s leaves nothing of the ${durationSeconds} s trigger phase to judge`,
    );
  }
  return settings;
}

/** Prometheus is kept for a bounded time only, so a forgotten run cannot hold it for days. */
const maxPrometheusKeepSeconds = 24 * 3600;

function keepSeconds(text: string, prometheus: boolean): number {
  if (!prometheus)
    throw usage("--prometheus-keep applies with --prometheus; add it or drop --prometheus-keep");
  const value = seconds("--prometheus-keep", text);
  if (value <= 0 || value > maxPrometheusKeepSeconds) {
    throw usage(`--prometheus-keep: expected a duration above 0 and at most 24h, e.g. 10m (got "${text}")`);
  }
  return value;
}

/** --chaos acts on the local cluster crosspod starts: its pods, within the trigger phase. */
function chaosSteps(
  text: string,
  targets: readonly string[],
  replicas: number,
  profile: Profile,
): ChaosStep[] {
  if (targets.length > 0) {
    throw usage(
      "--chaos acts on the local cluster crosspod starts; with --targets use `crosspod chaos` against your own supervisor, or --kubernetes",
    );
  }
  const pods = Array.from({ length: replicas }, (_, index) => podName(index));
  return checked(() => {
    const steps = parseChaosSchedule(text, { pods, durationSeconds: profile.durationSeconds });
    checkChaosSchedule(steps, pods, profile.durationSeconds);
    return steps;
  }, "--chaos");
}
