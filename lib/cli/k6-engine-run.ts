// `crosspod run --engine k6`: runs the profile's k6 scenario bundle through lib/engine/k6-runner.ts with the
// run's targets and Redis (the local cluster's, or REDIS_URL with --targets) and maps its errors to CLI ones.
import type { Profile } from "../core/profiles.js";
import type { Report } from "../core/report-model.js";
import { K6UnsupportedVersionError } from "../engine/k6-bundle-targets.js";
import { K6RunError, runK6 } from "../engine/k6-runner.js";
import { K6VersionError } from "../engine/k6-version.js";
import { CLIError, exitCodes } from "./cli-error.js";

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
  signal: AbortSignal;
}

export async function runWithK6(run: K6EngineRun): Promise<{ report: Report; exitCode: number }> {
  if (run.redisUrl === undefined) {
    throw new CLIError(
      "--engine k6 with --targets or --target needs a Redis: set REDIS_URL (the k6 run coordinates through it; with --targets, the pods' own, whose seq it reads as an oracle)",
      "CROSSPOD_USAGE",
      exitCodes.usage,
    );
  }
  try {
    const result = await runK6({
      runId: run.runId,
      profile: run.profile,
      targets: run.targets,
      ...(run.targetJson ? { targetJson: run.targetJson } : {}),
      redisUrl: run.redisUrl,
      ...(run.k6Binary ? { k6Binary: run.k6Binary } : {}),
      ...(run.prometheusRemoteWrite ? { prometheusRemoteWrite: { url: run.prometheusRemoteWrite } } : {}),
      signal: run.signal,
    });
    console.error(`k6 ${result.version.text} ran ${result.bundle} (exit code ${result.exitCode})`);
    return { report: result.report, exitCode: result.exitCode };
  } catch (error) {
    if (
      error instanceof K6RunError ||
      error instanceof K6VersionError ||
      error instanceof K6UnsupportedVersionError
    ) {
      const usage = error instanceof K6UnsupportedVersionError || error.code === "CROSSPOD_K6_PROFILE";
      throw new CLIError(error.message, error.code, usage ? exitCodes.usage : exitCodes.internal);
    }
    throw error;
  }
}
