// Section 2: receive efficiency. The frame blaster (a child process) sends prebuilt threat frames to 100
// engine connections in this process; the engine receives, checks (DeliveryChecker) and records them
// (histograms, matrix, Prometheus series) on the ConnectionPool's real path. A short probe at a high rate
// estimates the capacity, then the measured window runs at 60% of it, so the generator stays healthy
// and frames per CPU-second is the engine's cost, not its queueing.
import { GeneratorHealth } from "../../lib/engine/generator-health.js";
import { waitUntil } from "../../lib/engine/wait-until.js";
import { type BenchRow, failedRow, formatCount, measuredRow } from "../bench-row.js";
import { EngineFleet } from "../engine-fleet.js";
import { startPeerProcess } from "../peers/peer-process.js";

export interface ReceiveOptions {
  connections: number;
  probeSeconds: number;
  measureSeconds: number;
}

const section = "receive efficiency";
export const receiveTarget = 50_000;
const probeRate = 60_000;
const loadFraction = 0.6;

function cpuSecondsOfThisProcess(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export async function measureReceiveEfficiency(options: ReceiveOptions): Promise<BenchRow[]> {
  const blaster = await startPeerProcess("blaster", "frame-blaster.ts", {});
  const runId = `bench-receive-${Date.now().toString(36)}`;
  const fleet = new EngineFleet(
    runId,
    [{ wsUrl: `ws://127.0.0.1:${blaster.port}/`, pod: "blaster" }],
    options.connections,
    0,
  );
  try {
    const connected = await fleet.open(20_000);
    if (connected < options.connections)
      throw new Error(`only ${connected} of ${options.connections} connected`);
    const blast = async (rate: number, seconds: number) => {
      const framesBefore = fleet.framesReceived;
      const cpuBefore = cpuSecondsOfThisProcess();
      const health = new GeneratorHealth();
      const response = await fetch(
        `http://127.0.0.1:${blaster.port}/blast?rate=${rate}&seconds=${seconds}&run=${runId}`,
        {
          method: "POST",
        },
      );
      const { frames } = (await response.json()) as { frames: number };
      await waitUntil(() => fleet.framesReceived - framesBefore >= frames, {
        timeoutMs: 10_000,
        intervalMs: 5,
      });
      const figures = health.figures();
      health.stop();
      return {
        sent: frames,
        received: fleet.framesReceived - framesBefore,
        cpuSeconds: cpuSecondsOfThisProcess() - cpuBefore,
        figures,
      };
    };
    const probe = await blast(probeRate, options.probeSeconds);
    const capacity = probe.received / Math.max(0.001, probe.cpuSeconds);
    const rate = Math.round(Math.min(probeRate * 2, Math.max(5_000, capacity * loadFraction)));
    fleet.takeWindow();
    const measured = await blast(rate, options.measureSeconds);
    const window = fleet.takeWindow();
    const perCpuSecond = measured.received / Math.max(0.001, measured.cpuSeconds);
    const problems =
      measured.received < measured.sent ? [`${measured.sent - measured.received} frames not received`] : [];
    return [
      measuredRow(
        {
          section,
          name: `${formatCount(rate)} frames/s into ${options.connections} connections`,
          metrics: {
            framesPerCpuSecond: perCpuSecond,
            framesReceived: measured.received,
            offeredFramesPerSecond: rate,
            probeFramesPerCpuSecond: capacity,
            eventLoopLagP99Ms: measured.figures.eventLoopLagP99Ms,
          },
          display: `${formatCount(perCpuSecond)} frames/CPU-s (lag p99 ${measured.figures.eventLoopLagP99Ms.toFixed(1)} ms, fan-out p99 ${window.fanout.percentileMs(99).toFixed(2)} ms)`,
          generator: {
            cpuFraction: measured.figures.cpuFraction,
            eventLoopLagP99Ms: measured.figures.eventLoopLagP99Ms,
          },
          target: {
            text: `≥ ${formatCount(receiveTarget)} / ${formatCount(perCpuSecond)}`,
            met: perCpuSecond >= receiveTarget,
          },
          note: `offered at ${Math.round(loadFraction * 100)}% of the probe's ${formatCount(capacity)} frames/CPU-s`,
        },
        problems,
      ),
    ];
  } catch (error) {
    return [failedRow(section, "blast", error)];
  } finally {
    await fleet.close();
    await blaster.stop();
  }
}
