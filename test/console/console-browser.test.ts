// The console in real headless Chromium against a real two-pod cluster (redis-server + backend processes)
// and the local Faro collector: cross-pod delivery, resume after SIGKILL, RUM reaching /metrics, and
// hostile text staying text.
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaroCollector, startFaroCollector } from "../../lib/cluster/faro-collector.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import type { TriggerBody, TriggerResponse } from "../../lib/core/threat-protocol.js";
import { chromiumArgs, consoleUrl, findChromium } from "../../lib/engine/browser-pages.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const chromiumPath = findChromium();
if (!chromiumPath)
  console.warn("SKIPPING browser console tests: chromium not found (apt-get install chromium)");

// Chromium reports each refused WebSocket handshake while a pod is down; that is the kill, not the console.
const expectedWhilePodDown = /WebSocket connection to '.*' failed/;

async function trigger(httpUrl: string, body: TriggerBody = {}): Promise<TriggerResponse> {
  const res = await fetch(`${httpUrl}/api/threats/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 202)
    throw new Error(`trigger on ${httpUrl} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TriggerResponse;
}

function rowSeqs(page: Page): Promise<number[]> {
  return page.$$eval("#feed .row", (rows) => rows.map((row) => Number(row.getAttribute("data-seq"))));
}

describe.skipIf(skipWithoutRedis || !chromiumPath)("SOC browser console", () => {
  let cluster: LocalCluster;
  let collector: FaroCollector;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    [cluster, collector, browser] = await Promise.all([
      startLocalCluster({ replicas: 2 }),
      startFaroCollector(),
      chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(consoleUrl(cluster.pod("pod-b").httpUrl, collector.url));
    await page.locator('body[data-state="live"]').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    await cluster?.close();
  });

  it("shows the pod it is connected to", async () => {
    expect(await page.locator("#pod").textContent()).toBe("pod-b");
    expect(await page.locator("#mode").textContent()).toBe("resume on");
  });

  it("shows a threat triggered on another pod, with its origin and a render latency badge", async () => {
    const sent = await trigger(cluster.pod("pod-a").httpUrl, {
      type: "port_scan",
      severity: "critical",
      source_ip: "203.0.113.9",
      description: "cross-pod delivery check",
    });
    const row = page.locator(`#feed .row[data-seq="${sent.seq}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator(".origin").textContent()).toBe("pod-a");
    expect(await row.locator(".desc").textContent()).toBe("cross-pod delivery check");
    expect(await row.getAttribute("class")).toContain("sev-critical");
    expect(await row.locator(".lat").textContent()).toMatch(/^\d+(\.\d)? ms$/);
    expect(await page.locator("#total").textContent()).toBe("1");
  });

  it("renders a hostile description as text and runs nothing", async () => {
    const hostile =
      '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script><b>bold</b>&amp;';
    const sent = await trigger(cluster.pod("pod-a").httpUrl, { description: hostile, type: "<i>xss</i>" });
    const row = page.locator(`#feed .row[data-seq="${sent.seq}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator(".desc").textContent()).toBe(hostile);
    expect(await row.locator(".type").textContent()).toBe("<i>xss</i>");
    expect(await page.locator("#feed img, #feed script, #feed b, #feed i").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it("reconnects after its pod is SIGKILLed and restarted, and shows the missed threats in order", async () => {
    const podB = cluster.pod("pod-b");
    const before = await rowSeqs(page);
    await podB.kill("SIGKILL");
    await page.locator('body[data-state="reconnecting"]').waitFor({ timeout: 10_000 });

    const missed: number[] = [];
    for (let i = 0; i < 5; i++) {
      missed.push((await trigger(cluster.pod("pod-a").httpUrl, { description: `missed ${i}` })).seq);
    }
    await podB.start();
    await page.locator(`#feed .row[data-seq="${missed.at(-1)}"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator("#state-detail").textContent()).toMatch(/^reconnected in \d+\.\d\d s; missed/);

    const after = await rowSeqs(page);
    expect(after.slice(0, missed.length)).toEqual([...missed].reverse());
    expect(after.slice(missed.length)).toEqual(before);
    expect(new Set(after).size).toBe(after.length);
  });

  it("shows a visible history-lost notice when Redis restarts without its data, then carries on", async () => {
    expect(await page.locator("#notice").isVisible()).toBe(false);
    const redis = cluster.redis;
    if (!redis) throw new Error("the cluster should run its own redis-server");
    await redis.kill();
    await redis.start();
    const notice = page.locator("#notice");
    await notice.waitFor({ state: "visible", timeout: 15_000 });
    expect(await notice.textContent()).toMatch(/^History lost at .*epoch/);
    // Until pod-a has resubscribed to the new Redis a trigger is refused with 503; poll until accepted.
    await expect
      .poll(
        () =>
          trigger(cluster.pod("pod-a").httpUrl, { description: "after the reset" }).then(
            () => true,
            () => false,
          ),
        {
          timeout: 15_000,
          interval: 200,
        },
      )
      .toBe(true);
    await page.locator("#feed .row", { hasText: "after the reset" }).waitFor({ timeout: 10_000 });
    const divider = page.locator("#feed .divider");
    expect(await divider.count()).toBe(1);
    expect(await divider.textContent()).toMatch(
      /^History reset at .*: the sequence restarts below this line$/,
    );
    const feedOrder = await page.$$eval("#feed > *", (items) => items.map((item) => item.className));
    const dividerAt = feedOrder.indexOf("divider");
    expect(feedOrder.slice(0, dividerAt).every((name) => name.startsWith("row"))).toBe(true);
    expect(dividerAt).toBeGreaterThan(0);
  });

  it("sends Faro measurements that reach the collector's /metrics, labelled with the pod", async () => {
    const metrics = () => fetch(collector.metricsUrl).then((res) => res.text());
    await expect
      .poll(metrics, { timeout: 15_000, interval: 250 })
      .toMatch(/crosspod_browser_render_latency_seconds_count\{pod="pod-b"\} ([2-9]|\d\d+)/);
    await expect
      .poll(metrics, { timeout: 15_000, interval: 250 })
      .toMatch(/crosspod_browser_ws_reconnect_seconds_count\{pod="pod-b"\} [1-9]/);
    await expect
      .poll(metrics, { timeout: 15_000, interval: 250 })
      .toMatch(/crosspod_browser_web_vital_seconds_count\{name="(ttfb|fcp)"\} [1-9]/);
    const text = await metrics();
    expect(text).not.toMatch(/crosspod_browser_rejected_payloads_total\{/);
    expect(text).not.toMatch(/crosspod_browser_exceptions_total\{/);
  });

  it("keeps at most 500 rows in the DOM while its counter counts every threat", async () => {
    const totalBefore = Number((await page.locator("#total").textContent())?.replace(/,/g, ""));
    const podA = cluster.pod("pod-a").httpUrl;
    let last = 0;
    for (let chunk = 0; chunk < 12; chunk++) {
      const sent = await Promise.all(Array.from({ length: 50 }, () => trigger(podA)));
      last = Math.max(last, ...sent.map((response) => response.seq));
    }
    await page.locator(`#feed .row[data-seq="${last}"]`).waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.locator("#total").textContent(), { timeout: 10_000 })
      .toBe((totalBefore + 600).toLocaleString("en-US"));
    expect(await page.locator("#feed .row").count()).toBe(500);
    expect(await page.locator("#shown").textContent()).toBe("500");
  });

  it("logs no console errors apart from the refused reconnects while its pod was down", () => {
    expect(consoleErrors.filter((text) => !expectedWhilePodDown.test(text))).toEqual([]);
  });
});
