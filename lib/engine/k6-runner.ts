// The k6 engine: finds a k6 binary (K6_BIN, then PATH), reads `k6 version` to pick the scenario bundle
// built for that release, runs `k6 run` with the run's targets, Redis and profile knobs as script
// variables, and reads back the JSON report the scenario's handleSummary wrote — the same Report the
// Node engine returns. Before starting k6 it hands the caller the exact command line, shell-quoted, so a
// user can copy it; k6's own output is streamed to the caller; its exit code (99 = a k6 threshold failed)
// is returned alongside the report.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";
import { type Profile, profiles } from "../core/profiles.js";
import { parseReport } from "../core/report-json.js";
import type { Report } from "../core/report-model.js";
import { findBinary } from "../node-platform/find-binary.js";
import { registerTeardown } from "../node-platform/teardown-on-exit.js";
import { bundlePath, bundleTargetFor, type ScenarioName, scenarioNames } from "./k6-bundle-targets.js";
import { type K6Version, readK6Version } from "./k6-version.js";

export interface PrometheusRemoteWrite {
  /** Remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write. */
  url: string;
  /** Send trends as native histograms instead of the p50/p90/p99/max stats. */
  nativeHistograms?: boolean;
}

export interface K6RunOptions {
  runId: string;
  /** One of the built-in profiles (the scenario bundle of the same name runs it), with overrides applied. */
  profile: Profile;
  /** Pod base URLs, http://host:port. */
  targets: readonly string[];
  /** The Redis the pods use: the run coordinates through it and reads the backend's seq as an oracle. */
  redisUrl: string;
  /** The backend's Redis key prefix; default "crosspod:". */
  keyPrefix?: string;
  /** Bearer token for triggers when the backend requires one. */
  authToken?: string;
  /** A target file, as JSON, for a backend other than the reference one (CROSSPOD_TARGET). */
  targetJson?: string;
  /** Also write the HTML report here. */
  htmlPath?: string;
  prometheusRemoteWrite?: PrometheusRemoteWrite;
  /** Path to k6; default K6_BIN, then PATH. */
  k6Binary?: string;
  /** Folder holding the k6/ bundles; default the package's dist. */
  distDir?: string;
  /** k6 flags of the user's (`crosspod k6 <profile> -- <flags>`), placed before the script. */
  extraArgs?: readonly string[];
  signal?: AbortSignal;
  /** k6's stdout and stderr as they arrive; default: written to this process's stderr. */
  onOutput?: (text: string) => void;
  /** The command about to run, as a shell line; default: written to this process's stderr. */
  onCommand?: (line: string) => void;
}

export interface K6RunResult {
  report: Report;
  /** k6's exit code: 0, 99 when a k6 threshold failed, anything else an error in the run. */
  exitCode: number;
  version: K6Version;
  /** The bundle that ran, e.g. dist/k6/v1/cross-pod-load.js. */
  bundle: string;
}

export class K6RunError extends CrosspodError {
  constructor(
    message: string,
    override readonly code: string,
  ) {
    super(message);
    this.name = "K6RunError";
  }

  override get kind(): ErrorKind {
    return this.code === "CROSSPOD_K6_PROFILE" ? "usage" : "environment";
  }
}

/** After SIGINT k6 still runs teardown and handleSummary; SIGKILL only if it hangs longer than this. */
const interruptGraceMs = 60_000;
const outputTailChars = 2000;

export function findK6(override = process.env.K6_BIN): string | undefined {
  return findBinary("k6", override);
}

export function defaultDistDir(): string {
  const here = fileURLToPath(import.meta.url);
  // Bundled, this module is dist/cli.js; from source (tests, tsx) it sits in lib/engine.
  return here.endsWith("/dist/cli.js") ? dirname(here) : resolve(dirname(here), "../../dist");
}

function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

/** The script variables (-e) that make the bundle run exactly `options.profile` against the targets. */
export function k6ScriptEnv(options: K6RunOptions, reportPath: string): Record<string, string> {
  const { profile } = options;
  // CROSSPOD_THRESHOLDS merges per metric into the built-in profile's: [] removes a metric dropped here.
  const base = isScenarioName(profile.name) ? profiles[profile.name].thresholds : {};
  const thresholds: Record<string, string[]> = Object.fromEntries(
    Object.keys(base).map((metric) => [metric, []]),
  );
  Object.assign(thresholds, profile.thresholds);
  return {
    TARGETS: options.targets.join(","),
    REDIS_URL: options.redisUrl,
    CROSSPOD_RUN_ID: options.runId,
    CROSSPOD_OUT: reportPath,
    CROSSPOD_HTML: options.htmlPath ?? "",
    CROSSPOD_KEY_PREFIX: options.keyPrefix ?? "crosspod:",
    ...(options.authToken ? { CROSSPOD_AUTH_TOKEN: options.authToken } : {}),
    ...(options.targetJson ? { CROSSPOD_TARGET: options.targetJson } : {}),
    CROSSPOD_CONNECTIONS: String(profile.connections),
    CROSSPOD_RATE: String(profile.triggerRate),
    CROSSPOD_DURATION: String(profile.durationSeconds),
    CROSSPOD_RAMP: String(profile.rampSeconds),
    CROSSPOD_DRAIN: String(profile.drainSeconds),
    CROSSPOD_TRIGGER_POD: profile.triggerPod,
    CROSSPOD_CONNECTIONS_PER_VU: String(profile.connectionsPerVu),
    CROSSPOD_THRESHOLDS: JSON.stringify(thresholds),
    // crosspod prints the summary itself once k6 is done; k6's stdout streams to stderr meanwhile.
    CROSSPOD_CONSOLE_SUMMARY: "off",
  };
}

/** k6's own settings, read from its process environment. */
export function k6ProcessEnv(
  options: K6RunOptions,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, K6_NO_USAGE_REPORT: "true" };
  const remoteWrite = options.prometheusRemoteWrite;
  if (remoteWrite) {
    env.K6_PROMETHEUS_RW_SERVER_URL = remoteWrite.url;
    // Native histograms when asked here or already in k6's environment; trend stats otherwise.
    const native = remoteWrite.nativeHistograms ?? base.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM === "true";
    if (native) env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM = "true";
    else env.K6_PROMETHEUS_RW_TREND_STATS = "p(50),p(90),p(99),max";
  }
  return env;
}

export function k6Args(options: K6RunOptions, bundle: string, reportPath: string): string[] {
  const scriptEnv = Object.entries(k6ScriptEnv(options, reportPath)).flatMap(([name, value]) => [
    "-e",
    `${name}=${value}`,
  ]);
  const outputs = options.prometheusRemoteWrite ? ["-o", "experimental-prometheus-rw"] : [];
  // The recording rules group k6's series by run (observability/prometheus/rules).
  return [
    "run",
    ...outputs,
    "--tag",
    `run=${options.runId}`,
    ...(options.extraArgs ?? []),
    ...scriptEnv,
    bundle,
  ];
}

/** POSIX shell quoting: bare when only safe characters, single-quoted otherwise. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command as a line to paste into a shell: k6's settings that differ from this environment, then k6. */
export function k6CommandLine(
  binary: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  base: NodeJS.ProcessEnv = process.env,
): string {
  const settings = Object.entries(env)
    .filter(([name, value]) => name.startsWith("K6_") && value !== undefined && base[name] !== value)
    .map(([name, value]) => `${name}=${shellWord(value as string)}`);
  return [...settings, binary, ...args]
    .map((word, i) => (i < settings.length ? word : shellWord(word)))
    .join(" ");
}

function runProcess(
  binary: string,
  args: string[],
  options: K6RunOptions,
): Promise<{ code: number; tail: string }> {
  const write = options.onOutput ?? ((text: string) => process.stderr.write(text));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { env: k6ProcessEnv(options), stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-outputTailChars);
      write(text);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), interruptGraceMs);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const closed = new Promise<void>((resolveClosed) => child.once("close", () => resolveClosed()));
    // k6 never outlives crosspod: on an exit nobody prepared for, it is killed with the cluster.
    const unregister = registerTeardown({
      close: () => {
        onAbort();
        return closed;
      },
      killNow: () => child.kill("SIGKILL"),
    });
    child.once("error", (error) => {
      unregister();
      options.signal?.removeEventListener("abort", onAbort);
      reject(new K6RunError(`could not start ${binary}: ${error.message}`, "CROSSPOD_K6_SPAWN"));
    });
    child.once("close", (code, signal) => {
      unregister();
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      resolvePromise({ code: code ?? (signal ? 128 : 1), tail });
    });
  });
}

export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const { profile } = options;
  if (!isScenarioName(profile.name)) {
    throw new K6RunError(
      `the k6 engine runs the profiles ${scenarioNames.join(", ")}; "${profile.name}" has no k6 scenario`,
      "CROSSPOD_K6_PROFILE",
    );
  }
  const binary = options.k6Binary ?? findK6();
  if (binary === undefined) {
    throw new K6RunError(
      "k6 was not found: install k6 (see the README's k6 section) or set K6_BIN to its path",
      "CROSSPOD_K6_NOT_FOUND",
    );
  }
  const version = await readK6Version(binary);
  const target = bundleTargetFor(version);
  const distDir = options.distDir ?? defaultDistDir();
  const bundle = resolve(distDir, bundlePath(target, profile.name, "."));
  if (!existsSync(bundle)) {
    throw new K6RunError(
      `the k6 bundle ${bundle} does not exist: run \`npm run build\` first`,
      "CROSSPOD_K6_NOT_BUILT",
    );
  }

  const workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-"));
  const reportPath = join(workDir, "report.json");
  try {
    const args = k6Args(options, bundle, reportPath);
    const line = k6CommandLine(binary, args, k6ProcessEnv(options));
    (options.onCommand ?? ((text: string) => process.stderr.write(`crosspod: running ${text}\n`)))(line);
    const { code, tail } = await runProcess(binary, args, options);
    let text: string;
    try {
      text = await readFile(reportPath, "utf8");
    } catch {
      throw new K6RunError(
        `k6 ${version.text} exited with code ${code} without writing a report (${bundle}); its last output:\n${tail}`,
        "CROSSPOD_K6_NO_REPORT",
      );
    }
    return { report: parseReport(text, reportPath), exitCode: code, version, bundle };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
