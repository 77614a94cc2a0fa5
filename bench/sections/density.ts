// Section 1: connection density. For each level (5k, 10k, 20k) a fresh 3-pod reference cluster, the
// Node engine's worker processes ramping idle connections at a fixed rate, a hold, then: connections
// held, ramp rate achieved, failed handshakes, marginal RSS per connection on the engine side (all
// workers) and on the pods, and the workers' health during the hold.
import { defaultCliPath } from "../../lib/cluster/cli-path.js";
import { startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { EngineWorkers } from "../../lib/engine/engine-workers.js";
import { type BenchRow, failedRow, formatCount, measuredRow } from "../bench-row.js";
import { rssBytes } from "../process-stats.js";

export interface DensityOptions {
  levels: readonly number[];
  rampPerSecond: number;
  holdSeconds: number;
  /** Default: the engine's own cap from the open-file limit. */
  maxConnectionsPerWorker?: number;
  /** The build the pods run (the engine workers always run dist/cli.js); default dist/cli.js. */
  cliPath?: string;
}

const section = "connection density";
const holdLagLimitMs = 10;
export const densityTargets = { connections: 20_000, rssPerConnectionKiB: 16, rampPerSecond: 1_000 };

export async function measureDensity(options: DensityOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const level of options.levels) {
    try {
      rows.push(await measureLevel(level, options));
    } catch (error) {
      rows.push(failedRow(section, `${formatCount(level)} idle connections`, error));
    }
  }
  return rows;
}

async function measureLevel(level: number, options: DensityOptions): Promise<BenchRow> {
  const cluster = await startLocalCluster({
    replicas: 3,
    cliPath: options.cliPath ?? defaultCliPath(),
    env: { LOG_LEVEL: "warn" },
  });
  try {
    const podPids = cluster.pods.map((pod) => pod.pid).filter((pid): pid is number => pid !== undefined);
    const podRssBefore = podPids.map(rssBytes);
    const workers = await EngineWorkers.start({
      cliPath: defaultCliPath(),
      runId: `bench-density-${level}`,
      targets: cluster.pods.map((pod) => ({ wsUrl: `ws://127.0.0.1:${pod.port}/ws`, pod: pod.name })),
      connections: level,
      rampSeconds: level / options.rampPerSecond,
      accounting: "seq",
      ...(options.maxConnectionsPerWorker
        ? { maxConnectionsPerWorker: options.maxConnectionsPerWorker }
        : {}),
    });
    try {
      const opened = await workers.open();
      const hold = async () => {
        await workers.windowStart();
        await new Promise((resolve) => setTimeout(resolve, options.holdSeconds * 1000));
        return workers.windowEnd();
      };
      let held = await hold();
      // An idle hold that lagged was the shared machine, not the workers: hold once more.
      if (Math.max(...held.workers.map((w) => w.eventLoopLagP99Ms)) > holdLagLimitMs) held = await hold();
      const podGrowth = podPids.reduce(
        (total, pid, i) => total + (rssBytes(pid) - (podRssBefore[i] ?? 0)),
        0,
      );
      const failed = Object.values(opened.connectErrors).reduce((a, b) => a + b, 0);
      const rampPerSecond = opened.connected / (opened.openMs / 1000);
      const engineKiB = opened.rssGrowthBytes / Math.max(1, opened.connected) / 1024;
      const podKiB = podGrowth / Math.max(1, held.connected) / 1024;
      const isTargetLevel = level === densityTargets.connections;
      const met =
        held.connected >= level &&
        engineKiB <= densityTargets.rssPerConnectionKiB &&
        rampPerSecond >= densityTargets.rampPerSecond &&
        failed === 0;
      const sources =
        opened.sourceAddresses.length > 0 ? `, source addresses ${opened.sourceAddresses.join(" ")}` : "";
      return measuredRow({
        section,
        name: `${formatCount(level)} idle connections`,
        metrics: {
          connections: level,
          held: held.connected,
          workers: opened.workers,
          rampConnectionsPerSecond: rampPerSecond,
          failedHandshakes: failed,
          engineRssPerConnectionKiB: engineKiB,
          podRssPerConnectionKiB: podKiB,
        },
        display: `held ${formatCount(held.connected)} in ${opened.workers} worker${opened.workers > 1 ? "s" : ""}, ramp ${formatCount(rampPerSecond)}/s, failed ${failed}, RSS/conn engine ${engineKiB.toFixed(1)} KiB, pods ${podKiB.toFixed(1)} KiB${sources}`,
        generator: {
          cpuFraction: Math.max(...held.workers.map((w) => w.cpuFraction)),
          eventLoopLagP99Ms: Math.max(...held.workers.map((w) => w.eventLoopLagP99Ms)),
        },
        ...(isTargetLevel
          ? {
              target: {
                text: `${formatCount(level)} held / ${formatCount(held.connected)}; ≤ 16 KiB / ${engineKiB.toFixed(1)} KiB; ≥ 1,000/s / ${formatCount(rampPerSecond)}/s; 0 failed / ${failed}`,
                met,
              },
            }
          : {}),
        note: "generator health measured over the hold (idle); the ramp rate is the nominal rate when the engine keeps up",
      });
    } finally {
      await workers.close();
    }
  } finally {
    await cluster.close();
  }
}
