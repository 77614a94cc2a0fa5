// Everything a k6 scenario reads from its environment (__ENV), validated once in the init context so a bad
// value stops the run before any VU starts, with a message naming the variable. The workload numbers come
// from lib/core's profiles (the same data the Node engine runs) with the CROSSPOD_* overrides applied.
// The checks are written out rather than a schema library's: every VU compiles the bundle, so it carries
// only the few checks k6's side needs.
// The backend is the reference one at TARGETS, or any other a target file describes (CROSSPOD_TARGET: the
// file as JSON, parsed at the edge by `crosspod run --target`); either way a protocol adapter speaks to it.
import { AdapterError } from "../../lib/core/adapters/adapter-error.js";
import { crosspodAdapter, crosspodPods } from "../../lib/core/adapters/crosspod-adapter.js";
import type { Target } from "../../lib/core/adapters/protocol-adapter.js";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { type Profile, profileOverridesFromEnv, resolveProfile } from "../../lib/core/profiles.js";
import type { TargetFile } from "../../lib/core/target-file.js";
import { targetFromFile } from "../../lib/core/target-from-file.js";
import { TraceSamplerError } from "../../lib/core/trace-sampler-error.js";
import { otlpTracingRequested, rootSampleRatio } from "../../lib/core/trace-sampling.js";
import { parseTargets } from "./k6-targets.js";

export interface RunConfig {
  profile: Profile;
  /** Pod base URLs; their names come from the hello frames read in setup (or from the target file). */
  targets: string[];
  /** The adapter and pods every VU talks to. */
  target: Target;
  redisUrl: string;
  /** The backend's Redis key prefix: its seq counter `<prefix>seq` is read as an oracle. */
  keyPrefix: string;
  /** Fixed run id (a runner passes one to find the run's keys); generated in setup otherwise. */
  runId: string | undefined;
  /**
   * Where handleSummary writes the JSON and the HTML report ("" = not written): CROSSPOD_OUT and
   * CROSSPOD_HTML, or <profile>-report.json/.html in CROSSPOD_REPORT_DIR; nothing lands in the working
   * directory unasked.
   */
  reportPath: string;
  htmlPath: string;
  /** Bearer token for triggers, when the backend sets AUTH_TOKEN. */
  authToken: string | undefined;
  /**
   * With an OTEL_EXPORTER_OTLP_* endpoint set: the share of triggers sent with a sampled traceparent (from
   * OTEL_TRACES_SAMPLER[_ARG]), so the pods trace what k6 drives; undefined sends no traceparent.
   */
  traceRatio: number | undefined;
  /** handleSummary prints crosspod's summary after k6's, unless crosspod runs k6 and prints it itself. */
  consoleSummary: boolean;
}

export class RunConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_CONFIG";
  override readonly kind = "usage";
}

type Check = (value: string) => string | undefined;

const matches =
  (pattern: RegExp, expected: string): Check =>
  (value) =>
    pattern.test(value) ? undefined : expected;

const nonEmpty: Check = (value) => (value === "" ? "expected a value" : undefined);

const checks: Record<string, Check> = {
  REDIS_URL: matches(/^rediss?:\/\/\S+$/, "expected a redis:// or rediss:// URL"),
  CROSSPOD_KEY_PREFIX: matches(/^.{1,64}$/, "expected 1 to 64 characters"),
  CROSSPOD_RUN_ID: matches(
    /^[A-Za-z0-9._-]{1,64}$/,
    "expected 1 to 64 letters, digits, dots, dashes or underscores",
  ),
  CROSSPOD_OUT: nonEmpty,
  CROSSPOD_REPORT_DIR: nonEmpty,
  CROSSPOD_AUTH_TOKEN: nonEmpty,
  CROSSPOD_TARGET: nonEmpty,
};

/** The variable's value (undefined when unset) after its check; throws RunConfigError naming it. */
function variable(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const problem = checks[name]?.(value);
  if (problem !== undefined) throw new RunConfigError(`${name}="${value}" is invalid: ${problem}`);
  return value;
}

const adapterNames: readonly string[] = ["crosspod", "generic-json", "socketio"];

function targetFrom(text: string, env: Record<string, string | undefined>): Target {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RunConfigError("CROSSPOD_TARGET is not JSON: expected a target file as JSON");
  }
  // crosspod validated the file (and filled its defaults) before k6 started; what is left to catch here is a
  // hand-written value that never went through `crosspod target check`.
  const file = value as Partial<TargetFile> | null;
  if (typeof file !== "object" || file === null || !adapterNames.includes(file.adapter as string)) {
    throw new RunConfigError(
      `CROSSPOD_TARGET: expected a target file as \`crosspod target check\` validates it, with adapter ${adapterNames.join(", ")}`,
    );
  }
  if (!Array.isArray(file.pods) || file.pods.length === 0) {
    throw new RunConfigError("CROSSPOD_TARGET: pods: expected at least one pod");
  }
  try {
    return targetFromFile(file as TargetFile, env);
  } catch (error) {
    if (error instanceof AdapterError) throw new RunConfigError(`CROSSPOD_TARGET: ${error.message}`);
    throw error;
  }
}

function traceRatio(env: Record<string, string | undefined>): number {
  try {
    return rootSampleRatio(env);
  } catch (error) {
    if (error instanceof TraceSamplerError) throw new RunConfigError(error.message);
    throw error;
  }
}

export function loadRunConfig(profileName: string, env: Record<string, string | undefined>): RunConfig {
  const redisUrl = variable(env, "REDIS_URL") ?? "redis://127.0.0.1:6379";
  const keyPrefix = variable(env, "CROSSPOD_KEY_PREFIX") ?? "crosspod:";
  const runId = variable(env, "CROSSPOD_RUN_ID");
  const authToken = variable(env, "CROSSPOD_AUTH_TOKEN");
  const targetJson = variable(env, "CROSSPOD_TARGET");
  const out = variable(env, "CROSSPOD_OUT");
  const reportDir = variable(env, "CROSSPOD_REPORT_DIR")?.replace(/\/+$/, "");
  const profile = resolveProfile(profileName, profileOverridesFromEnv(env));
  const target = targetJson === undefined ? undefined : targetFrom(targetJson, env);
  const targets = target ? target.pods.map((pod) => pod.httpUrl) : parseTargets(env.TARGETS);
  const inReportDir = (extension: string) =>
    reportDir === undefined ? "" : `${reportDir}/${profile.name}-report.${extension}`;
  return {
    profile,
    targets,
    target: target ?? {
      adapter: crosspodAdapter(authToken === undefined ? {} : { authToken }),
      pods: crosspodPods(targets),
    },
    redisUrl,
    keyPrefix,
    runId,
    reportPath: out ?? inReportDir("json"),
    htmlPath: env.CROSSPOD_HTML ?? inReportDir("html"),
    authToken,
    traceRatio: otlpTracingRequested(env) ? traceRatio(env) : undefined,
    consoleSummary: env.CROSSPOD_CONSOLE_SUMMARY !== "off",
  };
}
