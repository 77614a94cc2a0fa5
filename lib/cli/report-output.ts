// Writes a finished report where the user asked (JSON, HTML), prints the console summary, and returns the
// exit code its verdict maps to: the one way every command that ends with a report (a run, a merge) ends.
import { writeFile } from "node:fs/promises";
import { renderJsonReport } from "../core/report-json.js";
import type { Report } from "../core/report-model.js";
import { renderConsoleSummary } from "../report/console-summary.js";
import { renderHtmlReport } from "../report/html-report.js";
import { reportVerdict } from "../report/report-verdict.js";
import { exitCodes } from "./cli-error.js";

export interface ReportOutputs {
  outFile?: string;
  htmlFile?: string;
}

export async function emitReport(report: Report, outputs: ReportOutputs): Promise<number> {
  if (outputs.outFile) await writeFile(outputs.outFile, renderJsonReport(report));
  if (outputs.htmlFile) await writeFile(outputs.htmlFile, renderHtmlReport(report));
  process.stdout.write(renderConsoleSummary(report, { color: process.stdout.isTTY === true }));
  if (outputs.outFile) console.log(`report: ${outputs.outFile}`);
  if (outputs.htmlFile) console.log(`html report: ${outputs.htmlFile}`);
  return reportVerdict(report).pass ? exitCodes.ok : exitCodes.thresholdsFailed;
}
