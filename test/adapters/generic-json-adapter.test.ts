import { describe, expect, it } from "vitest";
import { AdapterError, loadTarget } from "../../lib/core/target-file.js";

const probe = { run: "r1", publisher: "r1-node", n: 7, t: 1_700_000_000_000.5 };

function seedStyleTarget(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    adapter: "generic-json",
    pods: [{ name: "soc-a", url: "http://127.0.0.1:8001", ws: "ws://127.0.0.1:8001/ws/threats" }],
    trigger: {
      path: "/api/threats/trigger",
      body: { severity: "low", description: "load {{probe}}", source: "{{pod}}" },
      auth: { header: "X-Api-Key", env: "SOC_KEY" },
    },
    frames: {
      delivery: [{ path: "type", equals: "new_threat" }],
      ignore: [{ path: "type", equals: "heartbeat" }],
      id: "data.threat_id",
      publishedAt: { path: "data.created", unit: "iso" },
      probe: "data.description",
      origin: "data.pod",
    },
    subscribe: { action: "subscribe", topic: "threats" },
    ...overrides,
  };
}

describe("generic-json adapter", () => {
  const { adapter, pods } = loadTarget(seedStyleTarget(), { SOC_KEY: "k-1" });

  it("judges order and loss per publisher when frames carry no seq", () => {
    expect(adapter.accounting).toBe("publisher");
    expect(adapter.sendsHello).toBe(false);
    expect(pods).toEqual([
      { name: "soc-a", httpUrl: "http://127.0.0.1:8001", wsUrl: "ws://127.0.0.1:8001/ws/threats" },
    ]);
  });

  it("places the probe where the template says and sets the credential from the environment", () => {
    const request = adapter.triggerRequest({ name: "soc-a", httpUrl: "http://127.0.0.1:8001/" }, probe);
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://127.0.0.1:8001/api/threats/trigger");
    expect(request.headers).toEqual({ "content-type": "application/json", "x-api-key": "k-1" });
    expect(JSON.parse(request.body ?? "")).toEqual({
      severity: "low",
      description: `load ${JSON.stringify(probe)}`,
      source: "soc-a",
    });
  });

  it("reads id, published time, origin and the probe echoed inside a text field", () => {
    const frame = adapter.readFrame(
      JSON.stringify({
        type: "new_threat",
        data: {
          threat_id: "th-9",
          created: "2026-01-02T03:04:05.678Z",
          pod: "soc-b",
          description: `load ${JSON.stringify(probe)}`,
        },
      }),
    );
    expect(frame).toEqual({
      type: "delivery",
      id: "th-9",
      seq: undefined,
      publishedAtMs: Date.parse("2026-01-02T03:04:05.678Z"),
      podOrigin: "soc-b",
      probe,
      offset: undefined,
    });
  });

  it("ignores the frames the file says to, and calls any other frame invalid", () => {
    expect(adapter.readFrame('{"type":"heartbeat"}')).toEqual({ type: "ignored" });
    expect(adapter.readFrame('{"type":"stats"}')).toEqual({
      type: "invalid",
      reason: "frame matches neither frames.delivery nor frames.ignore",
    });
    expect(adapter.readFrame("nope")).toEqual({ type: "invalid", reason: "not JSON" });
  });

  it("sends the subscribe message after connect", () => {
    expect(adapter.openingFrames(undefined)).toEqual(['{"action":"subscribe","topic":"threats"}']);
  });

  it("accepts the statuses the file lists and reads seq and time from the reply when it says where", () => {
    const seqTarget = loadTarget(
      seedStyleTarget({
        trigger: {
          path: "/t",
          body: { probe: "{{probe}}" },
          accept: [201],
          response: { seq: "seq", publishedAt: { path: "at", unit: "s" } },
        },
        frames: { seq: "seq", publishedAt: { path: "at", unit: "s" }, probe: "probe" },
      }),
      {},
    ).adapter;
    expect(seqTarget.accounting).toBe("seq");
    expect(
      JSON.parse(seqTarget.triggerRequest({ name: "a", httpUrl: "http://h:1" }, probe).body ?? ""),
    ).toEqual({
      probe,
    });
    expect(seqTarget.readTriggerReply(201, { seq: 4, at: 1.5 })).toEqual({
      accepted: true,
      seq: 4,
      publishedAtMs: 1500,
      pod: undefined,
    });
    expect(seqTarget.readTriggerReply(200, {})).toEqual({ accepted: false, cause: "http-200" });
    expect(seqTarget.readFrame('{"seq":5,"at":2,"probe":null}')).toMatchObject({
      seq: 5,
      publishedAtMs: 2000,
      probe: undefined,
    });
  });

  it("names the missing environment variable behind the credential", () => {
    expect(() => loadTarget(seedStyleTarget(), {})).toThrow(
      new AdapterError(
        "trigger.auth.env",
        "environment variable SOC_KEY is not set (it holds the trigger's credential)",
      ),
    );
  });
});
