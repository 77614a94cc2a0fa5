// The report as a JSON document (schema crosspod.report/v1), written by `--out`, checkpoints and k6's
// handleSummary and read back by the k6 runner and the `crosspod report` commands. Runtime-neutral, so every
// engine and tool writes and reads it one way. Output is stable: keys follow the schema's order whatever
// order the engine built them in, so two identical runs diff cleanly.
import { reportJsonText } from "./report-json-text.js";
import { type Report, reportSchema, reportSchemaId } from "./report-model.js";
import { ReportParseError } from "./report-parse-error.js";

/** Pretty JSON (2-space indent, trailing newline). Throws ReportParseError if the report is invalid. */
export function renderJsonReport(report: Report): string {
  return reportJsonText(validateReport(report, "report to render"));
}

/** Parses and validates a report document; `source` names it in error messages (a file path). */
export function parseReport(text: string, source = "report"): Report {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportParseError(`${source} is not valid JSON: ${reason}`, "");
  }
  const schema = (document as { schema?: unknown } | null)?.schema;
  if (typeof document === "object" && document !== null && schema !== reportSchemaId) {
    throw new ReportParseError(
      `${source}: schema is ${JSON.stringify(schema)}, expected "${reportSchemaId}" (a crosspod report)`,
      "schema",
    );
  }
  return validateReport(document, source);
}

/** The document as a Report, or a ReportParseError naming `source` and the first bad field. */
export function validateReport(document: unknown, source: string): Report {
  const result = reportSchema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined ? "" : issue.path.map(String).join(".");
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : "";
  const where = path === "" ? "the document" : path;
  throw new ReportParseError(`${source}: ${where}: ${issue?.message ?? "invalid"}${more}`, path);
}
