// Section 4a: the loopback echo. A client in this process asks the echo calibrator (a child process) for
// a frame every 2 ms; the calibrator stamps published_at just before its write, and this side reads the
// frame with the engine's frame reader and records receive − published_at: the latency the tool adds.
import WebSocket from "ws";
import { readCrosspodFrame } from "../../lib/core/adapters/crosspod-adapter.js";
import { epochNowMs } from "../../lib/core/epoch-clock.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { GeneratorHealth } from "../../lib/engine/generator-health.js";
import { type BenchRow, failedRow, formatMs, measuredRow } from "../bench-row.js";
import { startPeerProcess } from "../peers/peer-process.js";

const section = "floor: loopback echo";
export const echoTargetP99Ms = 1;
const intervalMs = 2;

export async function measureEcho(seconds: number): Promise<BenchRow[]> {
  const calibrator = await startPeerProcess("echo", "echo-calibrator.ts", {});
  const ws = new WebSocket(`ws://127.0.0.1:${calibrator.port}/`, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const latency = new LatencyHistogram();
    const total = Math.round((seconds * 1000) / intervalMs);
    let received = 0;
    const health = new GeneratorHealth();
    const done = new Promise<void>((resolve) => {
      ws.on("message", (data: Buffer) => {
        const atMs = epochNowMs();
        const frame = readCrosspodFrame(data.toString());
        if (frame.type !== "delivery" || frame.publishedAtMs === undefined) return;
        latency.recordMs(atMs - frame.publishedAtMs);
        received++;
        if (received >= total) resolve();
      });
    });
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < total) ws.send(String(++sent));
    }, intervalMs);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000 + 5_000));
    await Promise.race([done, timeout]);
    clearInterval(timer);
    const figures = health.figures();
    health.stop();
    const summary = latency.summary();
    return [
      measuredRow(
        {
          section,
          name: `${summary.count} frames, one at a time`,
          metrics: { p50Ms: summary.p50, p99Ms: summary.p99, maxMs: summary.max, frames: summary.count },
          display: `tool-added p50 ${formatMs(summary.p50)}, p99 ${formatMs(summary.p99)}, max ${formatMs(summary.max)}`,
          generator: { cpuFraction: figures.cpuFraction, eventLoopLagP99Ms: figures.eventLoopLagP99Ms },
          target: { text: `p99 < 1 ms / ${formatMs(summary.p99)}`, met: summary.p99 < echoTargetP99Ms },
        },
        received < total ? [`only ${received} of ${total} echoes came back`] : [],
      ),
    ];
  } catch (error) {
    return [failedRow(section, "echo", error)];
  } finally {
    ws.terminate();
    await calibrator.stop();
  }
}
