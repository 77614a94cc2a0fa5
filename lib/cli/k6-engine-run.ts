// `crosspod run --engine k6`: runs the profile's k6 scenario bundle through lib/engine/k6-runner.ts with the
// run's targets and Redis (the local cluster's, or REDIS_URL with --targets) its errors reach the CLI with their own kind.
import type { Profile } from "../core/profiles.js";
import type { Report } from "../core/report-model.js";
import { runK6 } from "../engine/k6-runner.js";
import { CLIError } from "./cli-error.js";

export interface K6EngineRun {
  runId: string;
  profile: Profile;
  targets: readonly string[];
  /** --target: the target file as JSON, for a backend other than the reference one. */
  targetJson?: string;
  /** The Redis the pods use; undefined when --targets was given without REDIS_URL. */
  redisUrl: string | undefined;
  k6Binary: string | undefined;
  prometheusRemoteWrite: string | undefined;
  /** Flags for `k6 run` given after `crosspod k6 <profile> --`. */
  k6Flags: readonly string[];
  signal: AbortSignal;
}

export async function runWithK6(run: K6EngineRun): Promise<{ report: Report; exitCode: number }> {
  if (run.redisUrl === undefined) {
    throw new CLIError(
      "k6 with --targets or --target needs a Redis: set REDIS_URL (the k6 run coordinates through it; with --targets, the pods' own, whose seq it reads as an oracle)",
      "CROSSPOD_USAGE",
    );
  }
  const result = await runK6({
    runId: run.runId,
    profile: run.profile,
    targets: run.targets,
    ...(run.targetJson ? { targetJson: run.targetJson } : {}),
    redisUrl: run.redisUrl,
    ...(run.k6Binary ? { k6Binary: run.k6Binary } : {}),
    ...(run.prometheusRemoteWrite ? { prometheusRemoteWrite: { url: run.prometheusRemoteWrite } } : {}),
    extraArgs: run.k6Flags,
    signal: run.signal,
  });
  console.error(`k6 ${result.version.text} ran ${result.bundle} (exit code ${result.exitCode})`);
  return { report: result.report, exitCode: result.exitCode };
}
