// `crosspod k8s render <profile>`: the objects of a distributed k6 run on Kubernetes with k6-operator, as
// YAML to apply: the scenario bundle (ConfigMap), a TestRun with `--parallelism` runners, and the Job that
// merges the runners' partial reports into one report and one exit code. The bundle is the one built for
// the runner image's k6 release, so module paths match (k6 1.x: k6/experimental/redis).
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import {
  type Profile,
  profileEnvNames,
  profileOverridesFromEnv,
  resolveProfile,
} from "../../core/profiles.js";
import { bundlePath, bundleTargetFor, scenarioNames } from "../../engine/k6-bundle-targets.js";
import { defaultDistDir } from "../../engine/k6-runner.js";
import { parseK6Version } from "../../engine/k6-version.js";
import { distributedK6RunObjects, maxConfigMapBytes } from "../../kubernetes/distributed-k6-run.js";
import { CLIError } from "../cli-error.js";

interface RenderFlags {
  parallelism: string;
  runId?: string;
  namespace: string;
  replicas: string;
  targets?: string;
  redisUrl: string;
  k6Image: string;
  image: string;
  connections?: string;
  rate?: string;
  duration?: string;
  prometheusRw?: string;
  mergeTimeout: string;
  out?: string;
}

function usage(message: string): CLIError {
  return new CLIError(message, "CROSSPOD_USAGE");
}

function wholeNumber(flag: string, text: string, max: number): number {
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= max))
    throw usage(`${flag}: expected a whole number from 1 to ${max} (got "${text}")`);
  return value;
}

/** Kubernetes object names carry the run id: lowercase letters, digits and dashes. */
function runIdOf(text: string | undefined): string {
  const runId = text ?? `run-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}`;
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(runId)) {
    throw usage(`--run-id: expected 1 to 40 lowercase letters, digits or dashes (got "${runId}")`);
  }
  return runId;
}

/** The profile with the flags applied, and which fields they set (those go to the runners' env). */
function profileOf(
  name: string,
  flags: RenderFlags,
): { profile: Profile; overrides: (keyof typeof profileEnvNames)[] } {
  if (!(scenarioNames as readonly string[]).includes(name)) {
    throw usage(`profile "${name}": k6 runs the profiles ${scenarioNames.join(", ")}`);
  }
  const env: Record<string, string> = {};
  const overrides: (keyof typeof profileEnvNames)[] = [];
  for (const [field, flag] of [
    ["connections", flags.connections],
    ["triggerRate", flags.rate],
    ["durationSeconds", flags.duration],
  ] as const) {
    if (flag === undefined) continue;
    env[profileEnvNames[field]] = flag;
    overrides.push(field);
  }
  try {
    return { profile: resolveProfile(name, profileOverridesFromEnv(env)), overrides };
  } catch (error) {
    throw usage(`${(error as Error).message} (from --connections, --rate or --duration)`);
  }
}

function imageTag(image: string): string {
  const tag = /:([^:/@]+)$/.exec(image)?.[1];
  if (tag === undefined)
    throw usage(`--k6-image: "${image}" has no version tag; pin one, e.g. grafana/k6:1.8.1`);
  return tag;
}

async function render(profileName: string, flags: RenderFlags): Promise<void> {
  const parallelism = wholeNumber("--parallelism", flags.parallelism, 100);
  const replicas = wholeNumber("--replicas", flags.replicas, 50);
  const mergeTimeoutSeconds = wholeNumber("--merge-timeout", flags.mergeTimeout.replace(/s$/, ""), 86_400);
  const { profile, overrides } = profileOf(profileName, flags);
  const version = parseK6Version(`k6 v${imageTag(flags.k6Image)}`);
  const bundle = resolve(defaultDistDir(), bundlePath(bundleTargetFor(version), profile.name as never, "."));
  const content = await readFile(bundle, "utf8").catch(() => {
    throw new CLIError(
      `the k6 bundle ${bundle} does not exist: run \`npm run build\` first`,
      "CROSSPOD_K6_NOT_BUILT",
      "environment",
    );
  });
  if (Buffer.byteLength(content) > maxConfigMapBytes) {
    throw new CLIError(
      `the k6 bundle ${bundle} is over 1 MiB, the ConfigMap limit`,
      "CROSSPOD_K6_BUNDLE_SIZE",
      "internal",
    );
  }
  const targets =
    flags.targets
      ?.split(",")
      .map((url) => url.trim())
      .filter(Boolean) ??
    Array.from(
      { length: replicas },
      (_, index) => `http://crosspod-backend-${index}.crosspod-backend-pods:8080`,
    );
  const objects = distributedK6RunObjects({
    profile,
    overrides,
    parallelism,
    runId: runIdOf(flags.runId),
    namespace: flags.namespace,
    targets,
    redisUrl: flags.redisUrl,
    k6Image: flags.k6Image,
    crosspodImage: flags.image,
    script: { file: `${profile.name}.js`, content },
    ...(flags.prometheusRw ? { prometheusRemoteWrite: flags.prometheusRw } : {}),
    mergeTimeoutSeconds,
  });
  const yaml = objects
    .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
  if (flags.out) await writeFile(flags.out, yaml);
  else process.stdout.write(yaml);
}

export function registerK8sCommand(program: Command): void {
  const k8s = program.command("k8s").description("Kubernetes: distributed runs with k6-operator");
  k8s
    .command("render")
    .description(
      "Print the ConfigMap, k6-operator TestRun and merge Job of a distributed k6 run (apply with kubectl apply -f -)",
    )
    .argument("<profile>", scenarioNames.join(" | "))
    .option("--parallelism <n>", "k6 runners (each gets an equal execution segment)", "4")
    .option(
      "--run-id <id>",
      "the run's id: Redis keys, the testid tag and object names (default: from the time)",
    )
    .option("--namespace <ns>", "namespace of the objects", "crosspod")
    .option("--replicas <n>", "backend pods to target as crosspod-backend-N.crosspod-backend-pods:8080", "3")
    .option("--targets <urls>", "pod base URLs instead (comma-separated)")
    .option(
      "--redis-url <url>",
      "the Redis the runners share (and the backend uses)",
      "redis://crosspod-redis:6379",
    )
    .option("--k6-image <image>", "k6 runner image; its version picks the bundle", "grafana/k6:1.8.1")
    .option("--image <image>", "crosspod image for the merge Job", "crosspod-backend:0.1.0")
    .option("--connections <n>", "override the profile's connections")
    .option("--rate <r>", "override the profile's triggers per second")
    .option("--duration <d>", "override the profile's trigger duration")
    .option("--prometheus-rw <url>", "remote-write k6's metrics to this Prometheus (tagged testid=<run id>)")
    .option("--merge-timeout <seconds>", "how long the merge Job waits for every runner's report", "900")
    .option("--out <file>", "write the YAML here instead of stdout")
    .action(render);
}
