import { describe, expect, it } from "vitest";
import { formatProgress, progressWriter, type RunProgress } from "../../lib/engine/run-progress.js";

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

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
      "12s/38s trigger · conns 300/300 · triggers 180/600 · frames/s 6013 · fan-out p99 3.2 ms · errors 0",
    );
  });

  it("shows a dash for p99 before the first frame and abbreviates large frame rates", () => {
    const line = formatProgress({ ...progress, fanoutP99Ms: undefined, framesPerSecond: 123_456 });
    expect(line).toContain("fan-out p99 –");
    expect(line).toContain("frames/s 123.5k");
  });
});

describe("progress writer", () => {
  it("rewrites one line in place on a terminal and ends it with a newline", () => {
    const { stream, written } = fakeStream(true);
    const writer = progressWriter(stream);
    writer.update(progress);
    writer.update({ ...progress, elapsedSeconds: 13.4 });
    writer.end();
    expect(written).toEqual([
      `\r${formatProgress(progress)}\x1b[K`,
      `\r${formatProgress({ ...progress, elapsedSeconds: 13.4 })}\x1b[K`,
      "\n",
    ]);
  });

  it("prints plain lines every few seconds and on each phase change when not on a terminal", () => {
    const { stream, written } = fakeStream(false);
    const writer = progressWriter(stream, 5);
    for (const elapsedSeconds of [1, 2, 3, 6, 7, 11]) writer.update({ ...progress, elapsedSeconds });
    writer.update({ ...progress, elapsedSeconds: 12, phase: "drain" });
    writer.end();
    expect(written.map((line) => line.slice(0, line.indexOf(" ")))).toEqual([
      "1s/38s",
      "6s/38s",
      "11s/38s",
      "12s/38s",
    ]);
    expect(written.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
  });
});
