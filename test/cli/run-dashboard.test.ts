// `crosspod run --dashboard` in a real headless Chromium (Debian's, driven by playwright-core): the page
// fills in during the run (status line, per-pod figures, the four per-pod charts, a chaos marker) and shows
// the verdict and the HTML report when the run ends. A mid-run screenshot is kept for people to look at.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { chromiumArgs, findChromium } from "../../lib/engine/browser-pages.js";
import { type NodeProcess, runNode } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

const chromiumPath = findChromium();
if (!chromiumPath) console.warn("skipping the live dashboard test: no chromium on PATH (set CHROMIUM_BIN)");

describe.skipIf(skipWithoutRedis || !chromiumPath)("crosspod run --dashboard", () => {
  let browser: Browser | undefined;
  let cli: NodeProcess | undefined;
  afterAll(async () => {
    await browser?.close();
    // SIGINT lets crosspod tear its cluster down; SIGKILL only if it does not stop.
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill("SIGINT");
      const stopped = await Promise.race([cli.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (stopped === undefined) cli.child.kill("SIGKILL");
    }
  });

  it("updates live during the run and shows the verdict and report at the end", async () => {
    cli = runNode([
      "dist/cli.js",
      "run",
      "cross-pod-load",
      "--engine",
      "node",
      "--dashboard",
      "--connections",
      "30",
      "--ramp",
      "1s",
      "--rate",
      "10",
      "--duration",
      "6s",
      "--drain",
      "2s",
      "--chaos",
      "kill-pod:pod-b@2s,restart-pod:pod-b@3s",
    ]);
    const run = cli;
    const url = await waitFor(
      () => /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.stderr())?.[1],
      "the dashboard URL on stderr",
      60_000,
    );
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    await page.goto(url);
    expect(await page.title()).toMatch(/^crosspod cross-pod-load · run-/);

    // Mid-run: several updates, a figures line per pod, charts with every pod in the legend.
    // (Polled from here: the page's CSP rightly refuses the string evaluation waitForFunction needs.)
    await waitFor(
      async () => Number((await page.getAttribute("body", "data-updates")) ?? 0) >= 3,
      "three live updates",
      30_000,
    );
    await waitFor(async () => (await page.locator("#pods li").count()) === 3, "a line per pod", 30_000);
    const pods = await page.$$eval("#pods li", (items) => items.map((item) => item.textContent ?? ""));
    expect(pods.map((text) => text.split(":")[0]).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(pods.join("\n")).toMatch(/connections · \d+ frames\/s · fan-out p50/);
    expect(await page.textContent("#status")).toMatch(/s\/\d+s (ramp|connect|trigger|drain) · connections/);
    for (const id of ["fanout-p99", "fanout-p50", "frames", "connections"]) {
      expect(await page.$eval(`#${id} svg`, (svg) => svg.textContent ?? "")).toContain("pod-a");
    }
    await waitFor(
      async () => /chaos events/.test((await page.textContent("#markers")) ?? ""),
      "the chaos marker",
      30_000,
    );
    const shots = join(tmpdir(), "crosspod-dashboard");
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "mid-run.png"), fullPage: true });

    // The end: the verdict line and the full report in the page.
    await page.waitForSelector("body[data-final]", { timeout: 90_000 });
    const verdict = (await page.textContent("#verdict")) ?? "";
    expect(verdict).toMatch(/^(PASS|FAIL) · /);
    expect(await page.getAttribute("#report", "src")).toBe("/report");
    const exit = await run.exited;
    expect([0, 99], run.stderr()).toContain(exit.code);
    expect(run.stdout()).toContain(verdict.split(" · ")[0] ?? "");
  });
});
