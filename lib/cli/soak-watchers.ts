// What watches a soak beside the Node engine: the drift sampler (when a threshold judges drift or --drift asks)
// and the --checkpoint writer. Pods are sampled straight at the local cluster's addresses when crosspod
// started the cluster (a chaos failover proxy in front of a pod may answer for another).
import type { LocalCluster } from "../cluster/local-cluster.js";
import type { Report } from "../core/report-model.js";
import { DriftSampler } from "../engine/drift-sampler.js";
import { RunCheckpoints } from "../engine/run-checkpoint.js";
import type { RunConfig } from "./run-options.js";

export interface SoakWatchers {
  drift?: DriftSampler;
  checkpoints?: RunCheckpoints;
}

export function soakWatchers(
  config: RunConfig,
  cluster: LocalCluster | undefined,
  env: Record<string, string | undefined>,
): SoakWatchers {
  const watchers: SoakWatchers = {};
  if (config.drift) {
    const redisUrl = cluster?.redisUrl ?? env.REDIS_URL;
    watchers.drift = new DriftSampler({
      settings: config.drift,
      ...(cluster
        ? {
            metricsUrls: () =>
              cluster.pods.map((pod) => ({ pod: pod.name, metricsUrl: `${pod.httpUrl}/metrics` })),
          }
        : {}),
      // Another backend's Redis has no crosspod stream to measure.
      ...(redisUrl && !config.target
        ? { redis: { url: redisUrl, streamKey: `${env.KEY_PREFIX || "crosspod:"}stream` } }
        : {}),
    });
  }
  if (config.checkpointDir) {
    watchers.checkpoints = new RunCheckpoints(
      config.checkpointDir,
      config.checkpointIntervalSeconds,
      (message) => console.error(message),
    );
  }
  return watchers;
}

/** The final report over the last checkpoint, so DIR/checkpoint.json always holds the latest word. */
export async function writeFinalCheckpoint(config: RunConfig, report: Report): Promise<void> {
  if (!config.checkpointDir) return;
  await new RunCheckpoints(config.checkpointDir, config.checkpointIntervalSeconds).write(report);
}
