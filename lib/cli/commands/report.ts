// `crosspod report …`: work with saved reports. `merge` joins the partial reports of a split run (one per
// execution segment: `run --segment`, `run --runners`, k6-operator runners) into one report and one verdict,
// exit 0 or 99 like a single run, so CI gets one exit code however many runners there were.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { checkSegmentCover, ExecutionSegmentError } from "../../core/execution-segment.js";
import { parseDuration } from "../../core/profiles.js";
import { parseReport } from "../../core/report-json.js";
import { mergeReports } from "../../core/report-merge.js";
import type { Report } from "../../core/report-model.js";
import { readStoredReports } from "../../engine/segment-coordinator.js";
import { CLIError, exitCodes } from "../cli-error.js";
import { emitReport } from "../report-output.js";

/** A partial report with hours of time series is a few MB; anything far larger is not one. */
const maxReportBytes = 64 * 1024 * 1024;

export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > maxReportBytes) {
      throw new CLIError(`${path}: larger than 64 MiB, not a crosspod report`, "CROSSPOD_USAGE");
    }
    text = bytes.toString("utf8");
  } catch (error) {
    if (error instanceof CLIError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CLIError(`${path}: cannot read the report (${reason})`, "CROSSPOD_USAGE");
  }
  return parseReport(text, path);
}

interface MergeFlags {
  out?: string;
  html?: string;
  force?: boolean;
  redis?: string;
  runId?: string;
  timeout: string;
}

/** The runners' partial reports stored in Redis, once every segment of the run has reported. */
async function storedReports(flags: MergeFlags): Promise<{ parts: Report[]; sources: string[] }> {
  const { redis, runId } = flags;
  if (redis === undefined || runId === undefined) {
    throw new CLIError("report merge: give report files, or --redis and --run-id", "CROSSPOD_USAGE");
  }
  if (!/^rediss?:\/\/\S+$/.test(redis)) {
    throw new CLIError(`--redis: expected a Redis URL such as redis://127.0.0.1:6379`, "CROSSPOD_USAGE");
  }
  const timeoutMs = parseDuration(flags.timeout) * 1000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await readStoredReports(redis, runId);
    const segments = Object.keys(stored);
    try {
      checkSegmentCover(segments);
      const sources = segments.map((segment) => `run ${runId} segment ${segment}`);
      return { parts: segments.map((segment, i) => parseReport(stored[segment] ?? "", sources[i])), sources };
    } catch (error) {
      if (!(error instanceof ExecutionSegmentError) || Date.now() >= deadline) {
        if (error instanceof ExecutionSegmentError) {
          throw new CLIError(
            `run ${runId}: ${segments.length === 0 ? "no runner has reported" : error.message} after ${flags.timeout}`,
            "CROSSPOD_MERGE_TIMEOUT",
            "environment",
          );
        }
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function mergeAction(files: string[], flags: MergeFlags): Promise<void> {
  const { parts, sources } =
    files.length > 0
      ? { parts: await Promise.all(files.map(readReport)), sources: files }
      : await storedReports(flags);
  const merged = mergeReports(parts, { force: flags.force === true }, sources);
  console.log(
    `merged ${parts.length} reports of run ${merged.run.id} (${merged.run.segments?.join(", ") ?? "no segments"})`,
  );
  process.exitCode = await emitReport(merged, { outFile: flags.out, htmlFile: flags.html });
}

export function registerReportCommand(program: Command): Command {
  const report = program.command("report").description("Work with saved crosspod reports (JSON)");
  report
    .command("merge")
    .description(
      "Merge the partial reports of a split run (one per execution segment) into one report: counts add, histograms merge, thresholds are judged once; exit 0 or 99",
    )
    .argument("[files...]", "partial reports written with --out by each runner")
    .option("--redis <url>", "instead of files: read the partial reports the runners stored in this Redis")
    .option("--run-id <id>", "with --redis: the run whose partial reports to merge")
    .option("--timeout <duration>", "with --redis: how long to wait for every segment to report", "60s")
    .option("--out <file>", "write the merged JSON report here")
    .option("--html <file>", "write the merged HTML report here")
    .option("--force", "merge reports of different runs, or segments that do not cover the run once")
    .addHelpText(
      "after",
      `\nExit codes: 0 every threshold passed and every part was valid, 99 otherwise, ${exitCodes.usage} unreadable or unmergeable reports.`,
    )
    .action(mergeAction);
  return report;
}
