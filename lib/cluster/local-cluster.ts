// The local stack: one redis-server (or an external Redis) and N backend replicas pod-a, pod-b, … as child
// processes on free loopback ports. Everything it starts it also stops: on close(), on failure while
// starting, on a signal nobody else handles and, as a last resort, on process exit.
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { registerTeardown } from "../node-platform/teardown-on-exit.js";
import { defaultCliPath, requireBuiltCli } from "./cli-path.js";
import { ClusterError } from "./cluster-error.js";
import { cpuListPattern } from "./cpu-pinning.js";
import { type PodExit, PodProcess } from "./pod-process.js";
import { withPodTraceIdentity } from "./pod-trace-identity.js";
import { RedisSentinelGroup, type RedisSentinelGroupOptions } from "./redis-sentinel-group.js";
import { RedisServer } from "./redis-server.js";

export const deliveryModes = ["recover", "pubsub"] as const;
export type DeliveryMode = (typeof deliveryModes)[number];

export const maxReplicas = 26;

/** single: one redis-server; sentinel: a primary, replicas and three Sentinels (redis-sentinel-group.ts). */
export const redisModes = ["single", "sentinel"] as const;
export type RedisMode = (typeof redisModes)[number];

const optionsSchema = z.object({
  replicas: z.number().int().min(1).max(maxReplicas),
  delivery: z.enum(deliveryModes).default("recover"),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "expected a redis:// or rediss:// URL")
    .optional(),
  redisPersistence: z.boolean().default(false),
  cpus: z.string().regex(cpuListPattern, "expected a CPU list such as 0 or 0-2").optional(),
  redisMode: z.enum(redisModes).default("single"),
  redisReplicas: z.number().int().min(1).max(2).default(2),
  podPorts: z.array(z.number().int().min(1).max(65_535)).optional(),
  authToken: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  cliPath: z.string().min(1).optional(),
  logDir: z.string().min(1).optional(),
  logToConsole: z.boolean().default(false),
  readyTimeoutMs: z.number().int().positive().default(30_000),
  stopGraceMs: z.number().int().positive().default(10_000),
});

export interface LocalClusterOptions {
  /** Number of backend replicas, 1 to 26: pod-a … pod-z. */
  replicas: number;
  /** Backend DELIVERY mode; default "recover". */
  delivery?: DeliveryMode;
  /** Use this Redis instead of starting a private redis-server. */
  redisUrl?: string;
  /** CPUs the pods and the private redis-server run on (taskset list, e.g. "0"); any when undefined. */
  cpus?: string;
  /** Private redis-server keeps an append-only file, so a Redis restart keeps history. Default false. */
  redisPersistence?: boolean;
  /** Default "single"; "sentinel" gives pods REDIS_SENTINELS instead of REDIS_URL. */
  redisMode?: RedisMode;
  /** Replicas in sentinel mode, 1 or 2. Default 2: after a failover the new primary still has one. */
  redisReplicas?: number;
  /** Sentinel mode: the address others use for each Redis node (chaos puts a fault proxy there). */
  redisFront?: RedisSentinelGroupOptions["front"];
  /** Fixed ports for pod-a, pod-b, …, one per replica (`crosspod up --ports`); default free ports. */
  podPorts?: readonly number[];
  /** Bearer token the backend requires for writes (AUTH_TOKEN). */
  authToken?: string;
  /** Extra backend environment (LOG_LEVEL, limits); applied after the cluster's own settings. */
  env?: Record<string, string>;
  /** The CLI replicas run as `node <cliPath> backend`; default dist/cli.js. */
  cliPath?: string;
  /** Directory for pod-*.log files, kept after close; default a temp dir removed on close. */
  logDir?: string;
  /** Pod output to the console, prefixed with the pod name, instead of log files. */
  logToConsole?: boolean;
  /** Per pod, from spawn to /readyz 200. Default 30 s. */
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping a pod. Default 10 s. */
  stopGraceMs?: number;
  /** Aborting while starting stops what was started and rejects. */
  signal?: AbortSignal;
  /** Called whenever a pod's process ends; `exit.expected` is false for a crash. */
  onPodExit?: (pod: PodProcess, exit: PodExit) => void;
  /** The REDIS_URL a pod gets, e.g. a chaos fault proxy in front of `redisUrl`; default `redisUrl`. */
  redisUrlForPod?: (podName: string, redisUrl: string) => string;
}

/** Backend settings the cluster sets itself, so a value in the supervisor's own environment must not leak. */
const ownedEnvKeys = [
  "PORT",
  "HOST",
  "POD_NAME",
  "REDIS_URL",
  "REDIS_SENTINELS",
  "REDIS_SENTINEL_MASTER",
  "DELIVERY",
  "AUTH_TOKEN",
];

const host = "127.0.0.1";

export function podName(index: number): string {
  return `pod-${String.fromCharCode("a".charCodeAt(0) + index)}`;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`).join("; ");
}

export class LocalCluster {
  private closing: Promise<void> | undefined;
  private readonly unregisterTeardown: () => void;

  constructor(
    /** The private redis-server, or undefined when the cluster uses an external `redisUrl`. */
    readonly redis: RedisServer | undefined,
    readonly redisUrl: string,
    readonly pods: readonly PodProcess[],
    readonly delivery: DeliveryMode,
    readonly logDir: string | undefined,
    private readonly removeLogDir: boolean,
    /** The Sentinel group in sentinel mode (then `redis` is undefined and `redisUrl` the first primary). */
    readonly redisHa: RedisSentinelGroup | undefined = undefined,
  ) {
    this.unregisterTeardown = registerTeardown({
      close: () => this.close(),
      killNow: () => {
        for (const pod of this.pods) pod.killNow();
        if (this.removeLogDir && this.logDir) rmSync(this.logDir, { recursive: true, force: true });
      },
    });
  }

  /** The pod with this name ("pod-b"); throws naming the known pods otherwise. */
  pod(name: string): PodProcess {
    const pod = this.pods.find((candidate) => candidate.name === name);
    if (!pod) {
      const known = this.pods.map((candidate) => candidate.name).join(", ");
      throw new ClusterError(
        `no pod named "${name}" in this cluster (pods: ${known})`,
        "CROSSPOD_POD_UNKNOWN",
      );
    }
    return pod;
  }

  /** Stops pods gracefully (SIGTERM, then SIGKILL after the grace), then Redis; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  private async teardown(): Promise<void> {
    await Promise.all(this.pods.map((pod) => pod.kill("SIGTERM")));
    await this.redis?.dispose();
    await this.redisHa?.dispose();
    if (this.removeLogDir && this.logDir) await rm(this.logDir, { recursive: true, force: true });
    this.unregisterTeardown();
  }
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { signal, onPodExit, redisUrlForPod, redisFront, ...plain } = options;
  const parsed = optionsSchema.safeParse(plain);
  if (!parsed.success) {
    throw new ClusterError(
      `invalid local cluster options: ${formatIssues(parsed.error)}`,
      "CROSSPOD_CLUSTER_OPTIONS",
    );
  }
  const config = parsed.data;
  const cliPath = requireBuiltCli(config.cliPath ?? defaultCliPath());

  let logDir: string | undefined;
  if (!config.logToConsole) {
    logDir = config.logDir ?? (await mkdtemp(join(tmpdir(), "crosspod-cluster-")));
    await mkdir(logDir, { recursive: true });
  }
  if (config.redisMode === "sentinel" && config.redisUrl) {
    throw new ClusterError(
      "a Sentinel cluster starts its own Redis nodes: drop the Redis URL or use --redis single",
      "CROSSPOD_CLUSTER_OPTIONS",
    );
  }
  const redisHa =
    config.redisMode === "sentinel"
      ? await RedisSentinelGroup.launch({
          replicas: config.redisReplicas,
          ...(redisFront ? { front: redisFront } : {}),
        })
      : undefined;
  const redis =
    config.redisUrl || redisHa
      ? undefined
      : await RedisServer.launch({
          persistence: config.redisPersistence,
          ...(config.cpus ? { cpus: config.cpus } : {}),
        });
  const firstPrimary = redisHa ? (await redisHa.primary()).address : undefined;
  const redisUrl =
    config.redisUrl ??
    (firstPrimary ? `redis://${firstPrimary.host}:${firstPrimary.port}` : (redis as RedisServer).url);

  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !ownedEnvKeys.includes(entry[0]),
    ),
  );
  const env = {
    ...inherited,
    REDIS_URL: redisUrl,
    ...(redisHa ? { REDIS_SENTINELS: redisHa.sentinelList, REDIS_SENTINEL_MASTER: redisHa.masterName } : {}),
    DELIVERY: config.delivery,
    ...(config.authToken ? { AUTH_TOKEN: config.authToken } : {}),
    ...config.env,
  };
  const pods = Array.from({ length: config.replicas }, (_, index) => {
    const name = podName(index);
    const port = config.podPorts?.[index];
    return new PodProcess({
      name,
      host,
      ...(port === undefined ? {} : { port }),
      cliPath,
      cpus: config.cpus,
      env: withPodTraceIdentity(
        redisUrlForPod ? { ...env, REDIS_URL: redisUrlForPod(name, redisUrl) } : env,
        name,
      ),
      logFile: logDir === undefined ? undefined : join(logDir, `${name}.log`),
      readyTimeoutMs: config.readyTimeoutMs,
      stopGraceMs: config.stopGraceMs,
    });
  });
  const cluster = new LocalCluster(redis, redisUrl, pods, config.delivery, logDir, !config.logDir, redisHa);
  if (onPodExit) for (const pod of pods) pod.onExit((exit) => onPodExit(pod, exit));

  const started = await Promise.allSettled(pods.map((pod) => pod.start(signal)));
  const failures = started.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
  if (failures.length > 0) {
    await cluster.close();
    const first = failures[0];
    if (failures.length === 1 && first instanceof Error) throw first;
    const messages = failures.map((failure) =>
      failure instanceof Error ? failure.message : String(failure),
    );
    const code = first instanceof ClusterError ? first.code : "CROSSPOD_POD_NOT_READY";
    throw new ClusterError(`${failures.length} pods failed to start:\n${messages.join("\n")}`, code);
  }
  return cluster;
}
