// The run command's outputs: checked before anything starts (exit 2 naming the output), live sinks fed
// during a Node-engine run, and the report files written after the summary is printed, so a failing disk
// or endpoint costs the file, never the summary. Problems are printed once and map to exit code 1
// unless the verdict already failed (99).
import { writeFile } from "node:fs/promises";
import { scrapeJobs } from "../cluster/prometheus-config.js";
import { renderJsonReport } from "../core/report-json.js";
import type { Report } from "../core/report-model.js";
import { LiveOutputs, type LiveOutputsOptions, type OutputProblem } from "../engine/outputs/live-outputs.js";
import { checkOutputs } from "../engine/outputs/output-check.js";
import { describeOutput, type OutputSpec } from "../engine/outputs/output-spec.js";
import { renderHtmlReport } from "../report/html-report.js";
import { exitCodes } from "./cli-error.js";

/** --out, --prometheus-rw and --html together, as checked and written. */
export function runOutputSpecs(config: {
  outputs: readonly OutputSpec[];
  prometheusRemoteWrite: string | undefined;
  htmlFile: string | undefined;
}): OutputSpec[] {
  return [
    ...config.outputs,
    ...(config.prometheusRemoteWrite === undefined
      ? []
      : [{ kind: "prometheus-rw" as const, url: config.prometheusRemoteWrite }]),
    ...(config.htmlFile === undefined ? [] : [{ kind: "html" as const, path: config.htmlFile }]),
  ];
}

export function remoteWriteUrls(outputs: readonly OutputSpec[]): string[] {
  return outputs.flatMap((output) => (output.kind === "prometheus-rw" ? [output.url] : []));
}

/** Throws OutputSpecError (a usage error, exit 2) naming the first output that cannot work. */
export function checkRunOutputs(outputs: readonly OutputSpec[]): Promise<void> {
  return checkOutputs(outputs);
}

export function liveOutputs(
  runId: string,
  outputs: readonly OutputSpec[],
  onReading?: LiveOutputsOptions["onReading"],
): LiveOutputs {
  return new LiveOutputs({
    runId,
    outputs,
    remoteWriteLabels: { testid: runId, job: scrapeJobs.engine },
    ...(onReading ? { onReading } : {}),
  });
}

/** Writes the JSON and HTML report files; returns what failed instead of throwing. */
export async function writeReportFiles(
  report: Report,
  outputs: readonly OutputSpec[],
): Promise<{ written: OutputSpec[]; problems: OutputProblem[] }> {
  const written: OutputSpec[] = [];
  const problems: OutputProblem[] = [];
  for (const spec of outputs) {
    if (spec.kind !== "json" && spec.kind !== "html") continue;
    try {
      await writeFile(spec.path, spec.kind === "json" ? renderJsonReport(report) : renderHtmlReport(report));
      written.push(spec);
    } catch (error) {
      problems.push({ output: describeOutput(spec), problem: (error as Error).message });
    }
  }
  return { written, problems };
}

/** Prints where the outputs went and what failed; the exit code to use given the verdict's. */
export function reportOutputs(
  outputs: readonly OutputSpec[],
  written: readonly OutputSpec[],
  problems: readonly OutputProblem[],
  verdictExitCode: number,
): number {
  for (const spec of written) {
    if (spec.kind === "json" || spec.kind === "html") {
      console.log(`${spec.kind === "html" ? "html report" : "report"}: ${spec.path}`);
    }
  }
  for (const spec of outputs) {
    if (spec.kind !== "csv" || problems.some((p) => p.output === describeOutput(spec))) continue;
    console.log(`time series: ${spec.path}`);
  }
  for (const { output, problem } of problems) console.error(`crosspod: ${output}: failed: ${problem}`);
  return problems.length > 0 && verdictExitCode === exitCodes.ok ? exitCodes.internal : verdictExitCode;
}
