import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import {
  type BrowserPages,
  consoleUrl,
  findChromium,
  openBrowserPages,
} from "../../lib/engine/browser-pages.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

describe("browser page options", () => {
  it("puts the collector URL in the console URL as ?faro=", () => {
    expect(consoleUrl("http://127.0.0.1:8001", "http://127.0.0.1:9000/collect")).toBe(
      "http://127.0.0.1:8001/?faro=http%3A%2F%2F127.0.0.1%3A9000%2Fcollect",
    );
    expect(consoleUrl("http://127.0.0.1:8001/", undefined)).toBe("http://127.0.0.1:8001/");
  });

  it("rejects zero pages with an error naming count", async () => {
    await expect(
      openBrowserPages({ pods: [{ name: "a", httpUrl: "http://127.0.0.1:1" }], count: 0 }),
    ).rejects.toThrow(/count/);
  });

  it("names the missing chromium binary", async () => {
    await expect(
      openBrowserPages({
        pods: [{ name: "a", httpUrl: "http://127.0.0.1:1" }],
        count: 1,
        executablePath: "/nonexistent/chromium",
      }),
    ).rejects.toThrow(/chromium was not found at \/nonexistent\/chromium/);
  });
});

describe.skipIf(skipWithoutRedis || !findChromium())("browser pages under load", () => {
  let cluster: LocalCluster;
  let pages: BrowserPages;
  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 2 });
    pages = await openBrowserPages({
      pods: cluster.pods.map((pod) => ({ name: pod.name, httpUrl: pod.httpUrl })),
      count: 3,
    });
  });
  afterAll(async () => {
    await pages?.close();
    await cluster?.close();
  });

  it("spreads pages round-robin over the pods and records every row's render latency per pod", async () => {
    const triggers = 10;
    for (let i = 0; i < triggers; i++) {
      const pod = cluster.pods[i % cluster.pods.length];
      const res = await fetch(`${pod?.httpUrl}/api/threats/trigger`, { method: "POST" });
      expect(res.status).toBe(202);
    }
    expect(await pages.settle(triggers, 15_000)).toBe(true);
    const byPod = pages.renderLatencyByPod();
    expect(Object.keys(byPod).sort()).toEqual(["pod-a", "pod-b"]);
    expect(byPod["pod-a"]?.count).toBe(2 * triggers);
    expect(byPod["pod-b"]?.count).toBe(triggers);
    expect(byPod["pod-a"]?.p50).toBeGreaterThan(0);
    const inPage = pages.pageDelayByPod();
    expect(inPage["pod-b"]?.count).toBe(triggers);
    // The page's share cannot exceed the whole: received after published, attached after received.
    expect(inPage["pod-b"]?.max).toBeLessThanOrEqual((byPod["pod-b"]?.max ?? 0) + 1);
    const figures = pages.figures();
    expect(figures.pages).toBe(3);
    expect(figures.pageErrors).toEqual([]);
  });
});
