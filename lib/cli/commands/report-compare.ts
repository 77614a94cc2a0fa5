// `crosspod report compare <baseline.json> <candidate.json>`: the release gate. A side-by-side table and
// exit 99 when the candidate regresses beyond the limits (p99 +20 %, any new loss, a drift slope doubled by
// default), 0 otherwise; runs of different profiles or engines are not compared without --force.
import type { Command } from "commander";
import { type CompareLimits, compareReports, defaultCompareLimits } from "../../core/report-compare.js";
import { renderComparison } from "../../report/compare-table.js";
import { CLIError, exitCodes } from "../cli-error.js";
import { readReport } from "./report.js";

interface CompareFlags {
  maxP99Increase: string;
  maxSlopeRatio: string;
  allowNewLoss?: boolean;
  force?: boolean;
}

function number(flag: string, text: string, pattern: RegExp, expected: string): number {
  const match = pattern.exec(text.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new CLIError(`${flag}: expected ${expected} (got "${text}")`, "CROSSPOD_USAGE");
  }
  return value;
}

export function compareLimits(flags: CompareFlags): CompareLimits {
  const percent = number(
    "--max-p99-increase",
    flags.maxP99Increase,
    /^(\d+(?:\.\d+)?)%?$/,
    "a percentage, e.g. 20%",
  );
  const ratio = number(
    "--max-slope-ratio",
    flags.maxSlopeRatio,
    /^(\d+(?:\.\d+)?)x?$/,
    "a ratio above 1, e.g. 2",
  );
  if (ratio <= 1)
    throw new CLIError(
      `--max-slope-ratio: expected a ratio above 1 (got "${flags.maxSlopeRatio}")`,
      "CROSSPOD_USAGE",
    );
  return {
    ...defaultCompareLimits,
    p99Increase: percent / 100,
    slopeRatio: ratio,
    allowNewLoss: flags.allowNewLoss === true,
  };
}

async function compareAction(
  baselineFile: string,
  candidateFile: string,
  flags: CompareFlags,
): Promise<void> {
  const limits = compareLimits(flags);
  const [baseline, candidate] = await Promise.all([readReport(baselineFile), readReport(candidateFile)]);
  const comparison = compareReports(baseline, candidate, limits);
  if (comparison.mismatches.length > 0 && flags.force !== true) {
    throw new CLIError(
      `${comparison.mismatches.join("; ")}: the runs are not like for like; add --force to compare them anyway`,
      "CROSSPOD_USAGE",
    );
  }
  process.stdout.write(
    renderComparison(baseline, candidate, comparison, { color: process.stdout.isTTY === true }),
  );
  process.exitCode = comparison.regressions.length === 0 ? exitCodes.ok : exitCodes.thresholdsFailed;
}

export function registerReportCompareCommand(report: Command): void {
  report
    .command("compare")
    .description(
      "Compare a candidate run with a baseline (release gate): fan-out p50/p99 per pod, loss, reconnect time and drift slopes side by side; exit 99 on a regression",
    )
    .argument("<baseline>", "the baseline's JSON report (e.g. the last release's)")
    .argument("<candidate>", "the candidate's JSON report")
    .option(
      "--max-p99-increase <percent>",
      "largest allowed growth of a fan-out p99",
      `${defaultCompareLimits.p99Increase * 100}%`,
    )
    .option(
      "--max-slope-ratio <ratio>",
      "largest allowed candidate/baseline ratio of a drift slope",
      String(defaultCompareLimits.slopeRatio),
    )
    .option("--allow-new-loss", "do not fail on frames lost in the candidate but not in the baseline")
    .option("--force", "compare runs of different profiles or engines")
    .addHelpText(
      "after",
      `\nExit codes: 0 no regression, 99 a regression beyond the limits, ${exitCodes.usage} unreadable reports, bad limits, or different profiles/engines without --force.`,
    )
    .action(compareAction);
}
