import { describe, expect, it } from "vitest";
import { formatProgress, type RunProgress } from "../../lib/engine/run-progress.js";

const progress: RunProgress = {
  phase: "trigger",
  elapsedSeconds: 12.4,
  totalSeconds: 38,
  connections: 300,
  targetConnections: 300,
  triggersAccepted: 180,
  triggersTotal: 600,
  framesPerSecond: 6012.7,
  fanoutP99Ms: 3.21,
  errors: 0,
};

describe("progress line", () => {
  it("shows elapsed/total, connections, triggers, frames/s, p99 so far and errors", () => {
    expect(formatProgress(progress)).toBe(
      "12s/38s trigger · conns 300/300 · triggers 180/600 · frames/s 6013 · p99 3.2 ms · errors 0",
    );
  });

  it("shows a dash for p99 before the first frame and abbreviates large frame rates", () => {
    const line = formatProgress({ ...progress, fanoutP99Ms: undefined, framesPerSecond: 123_456 });
    expect(line).toContain("p99 –");
    expect(line).toContain("frames/s 123.5k");
  });
});
