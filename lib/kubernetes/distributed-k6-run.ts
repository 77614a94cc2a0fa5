// The Kubernetes objects of one distributed k6 run with k6-operator: the scenario bundle as a ConfigMap, a
// TestRun that runs it on `parallelism` runners (k6-operator gives each an equal execution segment), and a
// Job that waits for every runner's partial report in Redis and merges them into one report and one verdict,
// so CI gets one exit code (the Job's) instead of one per runner (k6-operator issues #115, #189).
// Plain objects: `crosspod k8s render` prints them as YAML and the tests validate them against the schemas.
import type { Profile } from "../core/profiles.js";
import { profileEnvNames } from "../core/profiles.js";

export interface DistributedK6RunOptions {
  profile: Profile;
  /** Which profile fields were set on the command line: only those go to the runners as CROSSPOD_* env. */
  overrides: readonly (keyof typeof profileEnvNames)[];
  parallelism: number;
  runId: string;
  namespace: string;
  /** Pod base URLs the runners connect and trigger to (each pod by name). */
  targets: readonly string[];
  redisUrl: string;
  k6Image: string;
  crosspodImage: string;
  /** The k6 bundle for the runner image's k6 release. */
  script: { file: string; content: string };
  /** Remote-write k6's metrics here (k6's experimental-prometheus-rw output), tagged testid=<run id>. */
  prometheusRemoteWrite?: string;
  /** How long the merge Job waits for every runner's report after it starts. */
  mergeTimeoutSeconds: number;
}

export type KubernetesObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

/** A k6-operator ConfigMap holds at most this many bytes (1 MiB). */
export const maxConfigMapBytes = 1_048_576;

function profileValue(profile: Profile, field: keyof typeof profileEnvNames): string {
  const value = profile[field];
  if (field === "thresholds") return JSON.stringify(value);
  if (field === "durationSeconds" || field === "rampSeconds" || field === "drainSeconds") return `${value}s`;
  return String(value);
}

function runnerEnv(options: DistributedK6RunOptions): { name: string; value: string }[] {
  const env = [
    { name: "TARGETS", value: options.targets.join(",") },
    { name: "REDIS_URL", value: options.redisUrl },
    { name: "CROSSPOD_RUN_ID", value: options.runId },
  ];
  for (const field of options.overrides) {
    env.push({ name: profileEnvNames[field], value: profileValue(options.profile, field) });
  }
  if (options.prometheusRemoteWrite) {
    env.push({ name: "K6_PROMETHEUS_RW_SERVER_URL", value: options.prometheusRemoteWrite });
  }
  return env;
}

export function distributedK6RunObjects(options: DistributedK6RunOptions): KubernetesObject[] {
  const { runId, namespace } = options;
  const labels = { "app.kubernetes.io/part-of": "crosspod", "crosspod.dev/run-id": runId };
  const scriptName = `crosspod-${options.profile.name}-${runId}`;
  const args = [`--tag testid=${runId}`];
  if (options.prometheusRemoteWrite) args.push("--out experimental-prometheus-rw");
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: scriptName, namespace, labels },
      data: { [options.script.file]: options.script.content },
    },
    {
      apiVersion: "k6.io/v1alpha1",
      kind: "TestRun",
      metadata: { name: scriptName, namespace, labels },
      spec: {
        parallelism: options.parallelism,
        script: { configMap: { name: scriptName, file: options.script.file } },
        arguments: args.join(" "),
        runner: { image: options.k6Image, env: runnerEnv(options) },
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: `crosspod-merge-${runId}`, namespace, labels },
      spec: {
        // 99 is the verdict (a threshold failed), not a failure to retry.
        backoffLimit: 0,
        activeDeadlineSeconds: options.mergeTimeoutSeconds + 120,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            containers: [
              {
                name: "merge",
                image: options.crosspodImage,
                command: [
                  "node",
                  "dist/cli.js",
                  "report",
                  "merge",
                  "--redis",
                  options.redisUrl,
                  "--run-id",
                  runId,
                  "--timeout",
                  `${options.mergeTimeoutSeconds}s`,
                ],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
              },
            ],
          },
        },
      },
    },
  ];
}
