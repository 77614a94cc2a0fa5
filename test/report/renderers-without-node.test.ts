import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { renderJsonReport } from "../../lib/core/report-json.js";
import { renderConsoleSummary } from "../../lib/report/console-summary.js";
import { renderHtmlReport } from "../../lib/report/html-report.js";
import { failingReport, hostileReport, sampleReport } from "./sample-report.js";

// k6's handleSummary runs these renderers in Sobek: no Node modules, no Buffer, process, TextEncoder,
// Intl or console. A platform-neutral bundle run in a bare vm context has the same constraints.
const entry = `
import { renderConsoleSummary } from "./lib/report/console-summary.ts";
import { renderHtmlReport } from "./lib/report/html-report.ts";
import { parseReport, renderJsonReport } from "./lib/core/report-json.ts";
globalThis.render = (text) => {
  const report = parseReport(text);
  return JSON.stringify({
    console: renderConsoleSummary(report),
    color: renderConsoleSummary(report, { color: true }),
    json: renderJsonReport(report),
    html: renderHtmlReport(report),
  });
};
globalThis.parseError = (text) => {
  try { parseReport(text); return "accepted"; } catch (error) { return error.code + " " + error.message; }
};
`;

async function bundle(): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), sourcefile: "report-entry.ts", loader: "ts" },
    bundle: true,
    write: false,
    platform: "neutral",
    format: "iife",
    mainFields: ["module", "main"],
    target: "es2020",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output for the report renderers");
  return output.text;
}

describe("the report renderers without Node", () => {
  it("bundle for a neutral platform and render the same text in a bare vm context as in Node", async () => {
    const code = await bundle();
    expect(code).not.toMatch(/\brequire\(|from\s*["']node:/);
    const context = createContext({});
    // V8 puts Intl and console in every context; Sobek has no Intl, and k6's console is no concern of
    // a renderer, so take both away before loading the bundle.
    runInContext("delete globalThis.Intl; delete globalThis.console", context);
    runInContext(code, context, { timeout: 10_000 });
    expect(runInContext("typeof process + typeof Buffer + typeof Intl + typeof console", context)).toBe(
      "undefinedundefinedundefinedundefined",
    );
    for (const report of [sampleReport(), failingReport(), hostileReport()]) {
      const text = renderJsonReport(report);
      const rendered = JSON.parse(
        runInContext(`render(${JSON.stringify(text)})`, context, { timeout: 10_000 }) as string,
      ) as Record<string, string>;
      expect(rendered.console).toBe(renderConsoleSummary(report));
      expect(rendered.color).toBe(renderConsoleSummary(report, { color: true }));
      expect(rendered.json).toBe(text);
      expect(rendered.html).toBe(renderHtmlReport(report));
    }
    const bad = runInContext(
      `parseError(${JSON.stringify('{"schema":"crosspod.report/v1","run":{}}')})`,
      context,
    );
    expect(bad).toMatch(/^CROSSPOD_REPORT_INVALID report: run\.id: /);
  });
});
