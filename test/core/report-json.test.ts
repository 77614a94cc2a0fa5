import { describe, expect, it } from "vitest";
import { parseReport, renderJsonReport } from "../../lib/core/report-json.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { ReportParseError } from "../../lib/core/report-parse-error.js";
import { failingReport, hostileReport, sampleReport } from "../report/sample-report.js";

function parseError(text: string): ReportParseError {
  try {
    parseReport(text, "r.json");
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error("parseReport accepted an invalid document");
}

describe("renderJsonReport and parseReport", () => {
  it("round-trips a report exactly and the output validates against the schema", () => {
    for (const report of [sampleReport(), failingReport(), hostileReport()]) {
      const text = renderJsonReport(report);
      expect(reportSchema.safeParse(JSON.parse(text)).success).toBe(true);
      expect(parseReport(text)).toEqual(report);
      expect(renderJsonReport(parseReport(text))).toBe(text);
    }
  });

  it("writes pretty JSON with keys in schema order whatever order the report was built in", () => {
    const report = sampleReport();
    const shuffled = Object.fromEntries(Object.entries(report).reverse()) as typeof report;
    shuffled.overall = Object.fromEntries(Object.entries(report.overall).reverse()) as typeof report.overall;
    const text = renderJsonReport(shuffled);
    expect(text).toBe(renderJsonReport(report));
    expect(text.startsWith('{\n  "schema": "crosspod.report/v1",\n  "run": {')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("names the bad path when a field has the wrong type", () => {
    const document = JSON.parse(renderJsonReport(sampleReport()));
    document.pods["pod-b"].fanout.p99 = "fast";
    const error = parseError(JSON.stringify(document));
    expect(error.code).toBe("CROSSPOD_REPORT_INVALID");
    expect(error.path).toBe("pods.pod-b.fanout.p99");
    expect(error.message).toContain("r.json: pods.pod-b.fanout.p99");
  });

  it("names a missing field", () => {
    const document = JSON.parse(renderJsonReport(sampleReport()));
    delete document.overall.delivery.lost;
    expect(parseError(JSON.stringify(document)).path).toBe("overall.delivery.lost");
  });

  it("rejects text that is not JSON, naming the source", () => {
    const error = parseError("{ not json");
    expect(error.message).toMatch(/^r\.json is not valid JSON/);
  });

  it("rejects a document of another schema version with the version it found", () => {
    const document = JSON.parse(renderJsonReport(sampleReport()));
    document.schema = "crosspod.report/v2";
    const error = parseError(JSON.stringify(document));
    expect(error.path).toBe("schema");
    expect(error.message).toContain('"crosspod.report/v2"');
  });

  it("refuses to render a report that breaks the schema", () => {
    const report = sampleReport();
    report.overall.delivery.lost = -1;
    expect(() => renderJsonReport(report)).toThrow(/overall\.delivery\.lost/);
  });
});
