import { describe, expect, it } from "vitest";
import { readFrame } from "../../lib/engine/frame-reader.js";

describe("frame reader", () => {
  it("reads a hello frame's pod, head seq and resume flag", () => {
    const frame = readFrame(
      JSON.stringify({ type: "hello", pod: "pod-b", seq: 41, epoch: "e1", resume: true }),
    );
    expect(frame).toEqual({ type: "hello", pod: "pod-b", seq: 41, epoch: "e1", resume: true });
  });

  it("reads a threat frame's seq, origin pod, published time and probe", () => {
    const probe = { run: "r1", publisher: "p1", n: 3, t: 1_700_000_000_000.25 };
    const frame = readFrame(
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
      type: "threat",
      seq: 7,
      podOrigin: "pod-a",
      publishedAtMs: 1_700_000_000_001.5,
      probe,
    });
  });

  it("leaves the probe out of a threat that carries none or a malformed one", () => {
    const frame = readFrame(
      JSON.stringify({
        type: "threat",
        seq: 1,
        pod_origin: "pod-a",
        published_at: 1,
        threat: { probe: { n: -1 } },
      }),
    );
    expect(frame).toMatchObject({ type: "threat", probe: undefined });
  });

  it("names what is wrong with a frame it cannot use", () => {
    expect(readFrame("{not json")).toEqual({ type: "invalid", reason: "not JSON" });
    expect(readFrame('"text"')).toEqual({ type: "invalid", reason: "not an object" });
    expect(readFrame('{"type":"threat","seq":"1"}')).toMatchObject({ type: "invalid" });
    expect(readFrame('{"type":"surprise"}')).toEqual({
      type: "invalid",
      reason: 'unknown frame type "surprise"',
    });
  });
});
