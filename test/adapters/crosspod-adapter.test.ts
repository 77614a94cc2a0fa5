import { describe, expect, it } from "vitest";
import {
  crosspodAdapter,
  crosspodPods,
  readCrosspodFrame,
} from "../../lib/core/adapters/crosspod-adapter.js";

describe("crosspod adapter", () => {
  it("reads a hello frame's pod, head seq and resume flag", () => {
    const frame = readCrosspodFrame(
      JSON.stringify({ type: "hello", pod: "pod-b", seq: 41, epoch: "e1", resume: true }),
    );
    expect(frame).toEqual({
      type: "hello",
      pod: "pod-b",
      seq: 41,
      epoch: "e1",
      resume: true,
      session: undefined,
    });
  });

  it("reads a threat frame's id, seq, origin pod, published time and probe", () => {
    const probe = { run: "r1", publisher: "p1", n: 3, t: 1_700_000_000_000.25 };
    const frame = readCrosspodFrame(
      JSON.stringify({
        type: "threat",
        seq: 7,
        id: "t-7",
        pod_origin: "pod-a",
        published_at: 1_700_000_000_001.5,
        threat: {
          id: "t-7",
          type: "malware",
          severity: "high",
          source_ip: "10.0.0.1",
          description: "x",
          probe,
        },
      }),
    );
    expect(frame).toEqual({
      type: "delivery",
      id: "t-7",
      seq: 7,
      podOrigin: "pod-a",
      publishedAtMs: 1_700_000_000_001.5,
      probe,
      offset: undefined,
    });
  });

  it("leaves the probe out of a threat that carries none or a malformed one", () => {
    const frame = readCrosspodFrame(
      JSON.stringify({
        type: "threat",
        seq: 1,
        pod_origin: "pod-a",
        published_at: 1,
        threat: { probe: { n: -1 } },
      }),
    );
    expect(frame).toMatchObject({ type: "delivery", probe: undefined });
  });

  it("names what is wrong with a frame it cannot use, and ignores a pong", () => {
    expect(readCrosspodFrame("{not json")).toEqual({ type: "invalid", reason: "not JSON" });
    expect(readCrosspodFrame('"text"')).toEqual({ type: "invalid", reason: "not an object" });
    expect(readCrosspodFrame('{"type":"threat","seq":"1"}')).toMatchObject({ type: "invalid" });
    expect(readCrosspodFrame('{"type":"surprise"}')).toEqual({
      type: "invalid",
      reason: 'unknown frame type "surprise"',
    });
    expect(readCrosspodFrame('{"type":"pong"}')).toEqual({ type: "ignored" });
  });

  it("resumes with ?since=<seq> and triggers with the probe in a JSON body", () => {
    const adapter = crosspodAdapter({ authToken: "s3cret" });
    const [pod] = crosspodPods(["https://pods.example:8443/base/"]);
    expect(pod?.wsUrl).toBe("wss://pods.example:8443/base/ws");
    expect(adapter.webSocketUrl("ws://127.0.0.1:1/ws", { seq: 42 })).toBe("ws://127.0.0.1:1/ws?since=42");
    expect(adapter.webSocketUrl("ws://127.0.0.1:1/ws", undefined)).toBe("ws://127.0.0.1:1/ws");
    const probe = { run: "r", publisher: "p", n: 1, t: 5 };
    expect(adapter.triggerRequest({ name: "pod-a", httpUrl: "http://127.0.0.1:1/" }, probe)).toEqual({
      method: "POST",
      url: "http://127.0.0.1:1/api/threats/trigger",
      headers: { "content-type": "application/json", authorization: "Bearer s3cret" },
      body: JSON.stringify({ probe }),
    });
    expect(adapter.accounting).toBe("seq");
  });

  it("accepts only a 202 that says seq, pod and published time", () => {
    const adapter = crosspodAdapter();
    expect(adapter.readTriggerReply(202, { id: "x", seq: 3, pod: "pod-a", published_at: 9 })).toEqual({
      accepted: true,
      seq: 3,
      pod: "pod-a",
      publishedAtMs: 9,
    });
    expect(adapter.readTriggerReply(503, undefined)).toEqual({ accepted: false, cause: "http-503" });
    expect(adapter.readTriggerReply(202, { seq: "3" })).toEqual({ accepted: false, cause: "bad-response" });
  });
});
