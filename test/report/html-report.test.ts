import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../lib/core/report-model.js";
import { findBinary } from "../../lib/node-platform/find-binary.js";
import { embeddedReportId, renderHtmlReport } from "../../lib/report/html-report.js";
import {
  browserReport,
  emptyReport,
  failingReport,
  hostileReport,
  injectedDetail,
  injectedPod,
  sampleReport,
} from "./sample-report.js";

const chromiumPath = findBinary("chromium", process.env.CHROMIUM_BIN);
const skipWithoutChromium = chromiumPath === undefined && process.env.CI !== "true";
if (chromiumPath === undefined)
  console.warn("SKIPPING HTML report browser tests: chromium not found (scripts/setup)");

const launchArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  requests: string[];
}

describe.skipIf(skipWithoutChromium)("renderHtmlReport in headless Chromium", () => {
  let browser: Browser;
  let directory: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "crosspod-html-report-"));
    browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
  });

  afterAll(async () => {
    await Promise.all(pages.map((page) => page.close()));
    await browser?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function open(report: Report, name: string): Promise<OpenedReport> {
    const file = join(directory, `${name}.html`);
    await writeFile(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    pages.push(page);
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    page.on("request", (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    await page.goto(url, { waitUntil: "load" });
    return { page, consoleErrors, requests };
  }

  it("draws every plot with non-empty lines, with no console errors and no network requests", async () => {
    const { page, consoleErrors, requests } = await open(sampleReport(), "sample");
    const charts = await page.$$eval("svg.chart", (svgs) =>
      svgs.map((svg) => ({
        id: svg.closest("figure")?.id ?? "",
        lines: [...svg.querySelectorAll("path.line")].map((path) => ({
          segments: (path.getAttribute("d") ?? "").split("L").length,
          // SVGGeometryElement.getTotalLength: the rendered length of the line in user units.
          length: (path as unknown as { getTotalLength(): number }).getTotalLength(),
        })),
        dots: svg.querySelectorAll("circle.dot").length,
        markers: svg.querySelectorAll("g.marker").length,
        xTicks: svg.querySelectorAll(".axis-x text").length,
        yTicks: svg.querySelectorAll(".axis-y text").length,
        width: svg.getBoundingClientRect().width,
        height: svg.getBoundingClientRect().height,
      })),
    );
    expect(charts.map((chart) => chart.id)).toEqual([
      "chart-percentiles",
      "chart-latency-over-time",
      "chart-frames",
      "chart-connections",
      "chart-triggers",
    ]);
    for (const chart of charts) {
      expect(chart.lines.length, chart.id).toBeGreaterThan(0);
      for (const line of chart.lines) expect(line.length, chart.id).toBeGreaterThan(50);
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.xTicks, chart.id).toBeGreaterThanOrEqual(5);
      expect(chart.yTicks, chart.id).toBeGreaterThanOrEqual(3);
    }
    const [percentiles, ...timeCharts] = charts;
    expect(percentiles?.dots).toBe(12);
    expect(percentiles?.lines.map((line) => line.segments)).toEqual([6, 6]);
    for (const chart of timeCharts) {
      expect(chart.markers, chart.id).toBe(6);
      expect(chart.lines[0]?.segments, chart.id).toBe(40);
    }
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("shows the verdict, thresholds with ✓ and ✗, and the per-pod table", async () => {
    const { page } = await open(failingReport(), "failing");
    expect(await page.textContent("#verdict .verdict-word")).toBe("FAIL");
    expect(await page.textContent("#verdict")).toContain("4/6 thresholds failed");
    const thresholds = await page.$$eval("#thresholds tbody tr", (rows) =>
      rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent)),
    );
    expect(thresholds[0]).toEqual(["✗", "crosspod_lost", "count==0", "20"]);
    expect(thresholds[1]).toEqual(["✓", "crosspod_out_of_order", "count==0", "0"]);
    expect(thresholds[3]).toEqual(["✗", "crosspod_fanout_latency", "p(99)<5", "8.97 ms"]);
    expect(await page.textContent("#validity")).toContain("INVALID");
    const headers = await page.$$eval("#pods thead th", (cells) => cells.map((cell) => cell.textContent));
    expect(headers).toEqual(["", "pod-a", "pod-b", "pod-c", "overall"]);
    const lostRow = await page.$$eval("#pods tbody tr", (rows) =>
      rows
        .map((row) => [...row.querySelectorAll("td")].map((cell) => `${cell.className}:${cell.textContent}`))
        .find((cells) => cells[0] === ":lost"),
    );
    expect(lostRow).toEqual([":lost", ":0", "bad:20", ":0", "bad:20"]);
    expect(await page.textContent("#chaos")).toContain("361 / 641 / 652");
    expect(await page.textContent("#matrix")).toContain("1.70 / 10.4 ms");
    expect(await page.$$eval("#browser", (sections) => sections.length), "no pages, no browser section").toBe(
      0,
    );
  });

  it("shows markup in pod names and event details as text and runs none of it", async () => {
    const report = hostileReport();
    const { page, consoleErrors, requests } = await open(report, "hostile");
    const details = await page.$$eval("#events .event-detail", (cells) =>
      cells.map((cell) => cell.textContent),
    );
    expect(details).toContain(injectedDetail);
    expect(await page.textContent("#events")).toContain("</script><script>window.__pwned=3</script>");
    expect(await page.$$eval("#pods thead th", (cells) => cells.map((cell) => cell.textContent))).toContain(
      injectedPod,
    );
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$eval("img, main b", (elements) => elements.length)).toBe(0);
    expect(await page.$$eval("script", (scripts) => scripts.map((script) => script.type))).toEqual([
      "application/json",
    ]);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("shows the console pages' render latency per pod, and page errors as text", async () => {
    const { page, consoleErrors, requests } = await open(browserReport(), "browser");
    expect(await page.textContent("#browser .subtitle")).toContain("3 console pages · 1 page error");
    const headers = await page.$$eval("#browser-latency thead th", (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(headers).toEqual(["", "pod-a", "pod-b"]);
    const rows = await page.$$eval("#browser-latency tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((cell) => cell.textContent)),
    );
    expect(rows).toContainEqual(["rows rendered", "1,200", "600"]);
    expect(rows).toContainEqual(["p99", "232", "250"]);
    expect(await page.textContent("#browser-errors")).toBe(`pod-b: ${injectedDetail}`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("embeds the JSON report, which reads back equal to the report", async () => {
    const report = hostileReport();
    const { page } = await open(report, "embedded");
    const embedded = await page.$eval(`#${embeddedReportId}`, (script) =>
      JSON.parse(script.textContent ?? ""),
    );
    expect(embedded).toEqual(report);
  });

  it("renders a run with no samples, pods or events without errors and says so in the plots", async () => {
    const { page, consoleErrors } = await open(emptyReport(), "empty");
    expect(await page.$$eval("svg.chart", (svgs) => svgs.length)).toBe(5);
    expect(
      await page.$$eval("svg.chart text.empty", (texts) => texts.map((text) => text.textContent)),
    ).toEqual([
      "no latency samples",
      "no time series recorded",
      "no time series recorded",
      "no time series recorded",
      "no time series recorded",
    ]);
    expect(await page.textContent("#verdict .verdict-word")).toBe("FAIL");
    expect(consoleErrors).toEqual([]);
  });
});
