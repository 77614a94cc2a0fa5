import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaroCollector, startFaroCollector } from "../../lib/cluster/faro-collector.js";

const meta = {
  app: { name: "crosspod-console" },
  page: { url: "http://127.0.0.1/", attributes: { pod: "pod-a" } },
};

function post(collector: FaroCollector, body: string, headers: Record<string, string> = {}) {
  return fetch(collector.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

async function metricsText(collector: FaroCollector): Promise<string> {
  const res = await fetch(collector.metricsUrl);
  return res.text();
}

describe("Faro collector", () => {
  let collector: FaroCollector;
  beforeAll(async () => {
    collector = await startFaroCollector({ maxBodyBytes: 4096 });
  });
  afterAll(async () => {
    await collector.close();
  });

  it("turns console measurements and web vitals into Prometheus histograms per pod", async () => {
    const payload = {
      meta,
      measurements: [
        {
          type: "threat_render_latency",
          values: { threat_render_latency: 12.5 },
          timestamp: new Date().toISOString(),
          context: { pod: "pod-b" },
        },
        {
          type: "threat_render_latency",
          values: { threat_render_latency: 3 },
          timestamp: new Date().toISOString(),
        },
        { type: "ws_reconnect_duration", values: { ws_reconnect_duration: 850 }, timestamp: "t" },
        { type: "web-vitals", values: { lcp: 420, delta: 420 }, timestamp: "t", context: { rating: "good" } },
        { type: "web-vitals", values: { cls: 0.01, delta: 0.01 }, timestamp: "t" },
      ],
      logs: [],
      exceptions: [],
      events: [{ name: "session_start", timestamp: "t", domain: "browser" }],
    };
    const res = await post(collector, JSON.stringify(payload));
    expect(res.status).toBe(202);

    const text = await metricsText(collector);
    expect(text).toContain('crosspod_browser_render_latency_seconds_count{pod="pod-b"} 1');
    expect(text).toContain('crosspod_browser_render_latency_seconds_sum{pod="pod-b"} 0.0125');
    expect(text).toContain('crosspod_browser_render_latency_seconds_count{pod="pod-a"} 1');
    expect(text).toContain('crosspod_browser_ws_reconnect_seconds_sum{pod="pod-a"} 0.85');
    expect(text).toContain('crosspod_browser_web_vital_seconds_count{name="lcp"} 1');
    expect(text).not.toContain('name="cls"');
    expect(text).not.toContain('name="delta"');
  });

  it("rejects a payload whose field has the wrong type with 400 naming the field", async () => {
    const res = await post(
      collector,
      JSON.stringify({ meta, measurements: [{ type: "x", values: { lcp: "slow" }, timestamp: "t" }] }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("schema");
    expect(body.message).toMatch(/^measurements\.0\.values\.lcp: /);
  });

  it("rejects a payload without meta with 400 naming meta", async () => {
    const res = await post(collector, JSON.stringify({ measurements: [] }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^meta: /);
  });

  it("rejects a body that is not JSON with 400", async () => {
    const res = await post(collector, "{not json");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("json");
  });

  it("rejects an oversized body with 413, whether or not it declares its length", async () => {
    const big = JSON.stringify({
      meta,
      logs: [{ message: "x".repeat(8000), level: "info", timestamp: "t" }],
    });
    const declared = await post(collector, big);
    expect(declared.status).toBe(413);

    const chunked = await fetch(collector.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("rejects a wrong content type with 415", async () => {
    const res = await post(collector, JSON.stringify({ meta }), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain("application/json");
  });

  it("counts every rejection by reason and stays up", async () => {
    const text = await metricsText(collector);
    expect(text).toContain('crosspod_browser_rejected_payloads_total{reason="schema"} 2');
    expect(text).toContain('crosspod_browser_rejected_payloads_total{reason="json"} 1');
    expect(text).toContain('crosspod_browser_rejected_payloads_total{reason="too_large"} 2');
    expect(text).toContain('crosspod_browser_rejected_payloads_total{reason="content_type"} 1');
    const ok = await post(collector, JSON.stringify({ meta }));
    expect(ok.status).toBe(202);
  });

  it.each([
    ["threat_render_latency", 1e308],
    ["threat_render_latency", -5],
    ["ws_reconnect_duration", 3_600_001],
    ["lcp", -1],
    ["anything_else", 1e300],
  ])("rejects an out-of-range %s of %d with 400 naming the field (D5)", async (name, value) => {
    const before = await metricsText(collector);
    const res = await post(
      collector,
      JSON.stringify({ meta, measurements: [{ type: name, values: { [name]: value }, timestamp: "t" }] }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(
      new RegExp(`^measurements\\.0\\.values\\.${name}: expected a value from`),
    );
    const sums = (text: string) => text.split("\n").filter((line) => line.includes("_seconds_sum"));
    expect(sums(await metricsText(collector))).toEqual(sums(before));
  });

  it("answers a CORS preflight from a loopback console origin and refuses other origins", async () => {
    const origin = "http://127.0.0.1:4123";
    const preflight = await fetch(collector.url, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-faro-session-id");

    const foreign = await post(collector, JSON.stringify({ meta }), { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("bounds the pod label set when browsers send many names", async () => {
    const measurements = Array.from({ length: 80 }, (_, i) => ({
      type: "threat_render_latency",
      values: { threat_render_latency: 1 },
      timestamp: "t",
      context: { pod: `pod-${i}` },
    }));
    const small = await startFaroCollector({ maxBodyBytes: 64 * 1024 });
    try {
      expect((await post(small, JSON.stringify({ meta, measurements }))).status).toBe(202);
      expect(await metricsText(small)).toContain(
        'crosspod_browser_render_latency_seconds_count{pod="other"} 16',
      );
    } finally {
      await small.close();
    }
  });
});

describe("Faro collector rate limit", () => {
  it("answers 429 with Retry-After once over the rate, and counts it", async () => {
    const collector = await startFaroCollector({ ratePerSecond: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await post(collector, JSON.stringify({ meta }))).status);
      expect(statuses.slice(0, 2)).toEqual([202, 202]);
      expect(statuses).toContain(429);
      const limited = await post(collector, JSON.stringify({ meta }));
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("1");
      expect(await metricsText(collector)).toMatch(
        /crosspod_browser_rejected_payloads_total\{reason="rate_limit"\} [3-4]/,
      );
    } finally {
      await collector.close();
    }
  });

  it("rejects invalid options with an error naming the option", async () => {
    await expect(startFaroCollector({ ratePerSecond: -1 })).rejects.toThrow(/ratePerSecond/);
  });
});
