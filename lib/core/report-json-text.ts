// The report as JSON text: 2-space indent, trailing newline. report-json.ts validates the report against
// the schema first (which also orders keys the schema's way); k6's handleSummary writes the report it just
// built with lib/core's buildReport directly, because a k6 VU would otherwise compile the schema library.
import type { Report } from "./report-model.js";

export function reportJsonText(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
