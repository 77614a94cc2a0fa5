import { describe, expect, it } from "vitest";
import { parseServerFrame } from "../../lib/console/server-frame.js";

const threat = {
  type: "threat",
  seq: 7,
  id: "t-7",
  pod_origin: "pod-a",
  published_at: 1_700_000_000_000,
  threat: { id: "t-7", type: "malware", severity: "high", source_ip: "10.0.0.7", description: "<b>x</b>" },
};

describe("console frame parsing", () => {
  it("reads hello, threat and reset frames", () => {
    expect(
      parseServerFrame(JSON.stringify({ type: "hello", pod: "pod-b", seq: 3, epoch: "e", resume: true })),
    ).toEqual({ type: "hello", pod: "pod-b", seq: 3, epoch: "e", resume: true });
    expect(parseServerFrame(JSON.stringify(threat))).toEqual(threat);
    expect(parseServerFrame(JSON.stringify({ type: "reset", epoch: "e2" }))).toEqual({
      type: "reset",
      epoch: "e2",
    });
  });

  it("ignores pongs, unknown types, binary data and broken JSON", () => {
    expect(parseServerFrame(JSON.stringify({ type: "pong" }))).toBeUndefined();
    expect(parseServerFrame(JSON.stringify({ type: "surprise" }))).toBeUndefined();
    expect(parseServerFrame(new ArrayBuffer(4))).toBeUndefined();
    expect(parseServerFrame("{")).toBeUndefined();
    expect(parseServerFrame("null")).toBeUndefined();
  });

  it("rejects a threat frame with a missing field or an unknown severity", () => {
    const { published_at: _, ...withoutTime } = threat;
    expect(parseServerFrame(JSON.stringify(withoutTime))).toBeUndefined();
    const odd = { ...threat, threat: { ...threat.threat, severity: "apocalyptic" } };
    expect(parseServerFrame(JSON.stringify(odd))).toBeUndefined();
    const noDescription = { ...threat, threat: { ...threat.threat, description: 42 } };
    expect(parseServerFrame(JSON.stringify(noDescription))).toBeUndefined();
  });
});
