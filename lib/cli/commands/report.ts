// `crosspod report …`: work with saved reports. `merge` joins the partial reports of a split run (one per
// execution segment: `run --segment`, `run --runners`, k6-operator runners) into one report and one verdict,
// exit 0 or 99 like a single run, so CI gets one exit code however many runners there were.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { mergeReports } from "../../core/report-merge.js";
import type { Report } from "../../core/report-model.js";
import { parseReport } from "../../report/json-report.js";
import { CLIError, exitCodes } from "../cli-error.js";
import { emitReport } from "../report-output.js";

/** A partial report with hours of time series is a few MB; anything far larger is not one. */
const maxReportBytes = 64 * 1024 * 1024;

async function readReport(path: string): Promise<Report> {
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
}

async function mergeAction(files: string[], flags: MergeFlags): Promise<void> {
  const parts = await Promise.all(files.map(readReport));
  const merged = mergeReports(parts, { force: flags.force === true }, files);
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
    .argument("<files...>", "partial reports written with --out by each runner")
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
