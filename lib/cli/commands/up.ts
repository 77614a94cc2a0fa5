// `crosspod up`: runs the local cluster (redis-server + N backend replicas) in the foreground, prints where
// each piece listens, and tears everything down on Ctrl-C (SIGINT) or SIGTERM.
import type { Command } from "commander";
import { z } from "zod";
import { newControlToken } from "../../chaos/control-api.js";
import { controlBanner } from "../../chaos/control-banner.js";
import type { FaroCollector } from "../../cluster/faro-collector.js";
import {
  deliveryModes,
  type LocalCluster,
  type LocalClusterOptions,
  maxReplicas,
  redisModes,
} from "../../cluster/local-cluster.js";
import { backendScrapeTarget, type ScrapeTarget, scrapeJobs } from "../../cluster/prometheus-config.js";
import type { PrometheusServer } from "../../cluster/prometheus-server.js";
import { parseFlags } from "../flag-error.js";
import { onInterrupt } from "../interrupt.js";
import { LocalStack } from "../local-stack.js";
import { portFlag } from "../port-flag.js";

const flagNames = {
  replicas: "--replicas",
  delivery: "--delivery",
  redisUrl: "--redis-url",
  redis: "--redis",
  persistence: "--persistence",
  logDir: "--log-dir",
  logToConsole: "--log-to-console",
  faro: "--faro",
  controlPort: "--control-port",
  ports: "--ports",
  prometheus: "--prometheus",
} as const;

const upOptionsSchema = z
  .object({
    replicas: z
      .string()
      .regex(/^\d+$/, `expected a whole number from 1 to ${maxReplicas}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, "expected at least 1")
          .max(maxReplicas, `expected at most ${maxReplicas} (pod-a … pod-z)`),
      ),
    delivery: z.enum(deliveryModes, `expected one of ${deliveryModes.join(", ")}`),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, "expected a redis:// or rediss:// URL")
      .optional(),
    redis: z.enum(redisModes, `expected one of ${redisModes.join(", ")}`).default("single"),
    persistence: z.boolean().default(false),
    logDir: z.string().min(1, "expected a directory").optional(),
    logToConsole: z.boolean().default(false),
    faro: z.boolean().optional(),
    prometheus: z.boolean().optional(),
    controlPort: portFlag.optional(),
    ports: z
      .string()
      .regex(/^\d{1,5}(,\d{1,5})*$/, "expected ports such as 8081,8082,8083, or one base port such as 8081")
      .transform((text) => text.split(",").map(Number))
      .optional(),
  })
  .strict()
  .refine((options) => !(options.persistence && options.redisUrl), {
    path: ["persistence"],
    message: "applies only to the private redis-server and cannot be combined with --redis-url",
  })
  .refine((options) => !(options.redis === "sentinel" && (options.redisUrl || options.persistence)), {
    path: ["redis"],
    message: "sentinel starts its own Redis nodes and cannot be combined with --redis-url or --persistence",
  })
  .transform((options, context) => {
    const ports = podPorts(options.ports, options.replicas);
    if (typeof ports === "string") {
      context.addIssue({ code: "custom", path: ["ports"], message: ports });
      return z.NEVER;
    }
    return ports === undefined ? options : { ...options, ports };
  })
  .refine((options) => !(options.ports && options.controlPort !== undefined), {
    path: ["ports"],
    message: "cannot be combined with --control-port (the pods then sit behind fault proxies on free ports)",
  })
  .refine((options) => !(options.logDir && options.logToConsole), {
    path: ["logDir"],
    message: "cannot be combined with --log-to-console",
  });

export type UpOptions = z.infer<typeof upOptionsSchema>;

/** One port per replica: the list as given, or a base port counted up; a string says what is wrong. */
function podPorts(given: number[] | undefined, replicas: number): number[] | undefined | string {
  if (given === undefined) return undefined;
  const ports =
    given.length === 1 ? Array.from({ length: replicas }, (_, index) => (given[0] as number) + index) : given;
  if (ports.length !== replicas) {
    return `expected ${replicas} ports, one per replica, or one base port (got ${ports.length})`;
  }
  const bad = ports.find((port) => port < 1 || port > 65_535);
  if (bad !== undefined) return `port ${bad} is out of range: expected 1 to 65535`;
  if (new Set(ports).size !== ports.length) return "expected each port once";
  return ports;
}

/** Validates commander's parsed flags; errors name the flag and the value given. */
export function parseUpOptions(raw: Record<string, unknown>): UpOptions {
  return parseFlags(upOptionsSchema, raw, flagNames);
}

/** Every pod (job names the alert rules match on), and the Faro collector's browser metrics when it runs. */
function scrapeTargets(cluster: LocalCluster, faro: FaroCollector | undefined): ScrapeTarget[] {
  return [
    backendScrapeTarget(cluster.pods),
    ...(faro ? [{ job: scrapeJobs.browser, targets: [faro.metricsUrl] }] : []),
  ];
}

function describe(
  cluster: LocalCluster,
  faro: FaroCollector | undefined,
  prometheus: PrometheusServer | undefined,
): string {
  const redis = cluster.redis
    ? `private redis-server, pid ${cluster.redis.pid}`
    : "external, given with --redis-url";
  const ha = cluster.redisHa;
  const lines = [
    `crosspod local cluster: ${cluster.pods.length} replicas, delivery ${cluster.delivery}`,
    ...(ha
      ? [
          ...ha.nodes.map(
            (node) =>
              `  ${node.name}  redis://${node.address.host}:${node.address.port}  (pid ${node.server.pid}${node.address.port === node.server.port ? "" : `, listening on ${node.server.port} behind a fault proxy`})`,
          ),
          `  sentinels  ${ha.sentinelList}  (master "${ha.masterName}", first primary ${cluster.redisUrl})`,
        ]
      : [`  redis  ${cluster.redisUrl}  (${redis})`]),
    ...cluster.pods.map((pod) => `  ${pod.name}  ${pod.httpUrl}  ${pod.wsUrl}  (pid ${pod.pid})`),
  ];
  if (cluster.logDir) lines.push(`  logs   ${cluster.logDir}`);
  if (faro) lines.push(`  faro   ${faro.url}  (browser metrics ${faro.metricsUrl})`);
  if (prometheus) {
    lines.push(`  prometheus  ${prometheus.url}  (scraping every pod each second, with the crosspod rules)`);
  }
  const first = cluster.pods[0];
  if (first) {
    const query = faro ? `?faro=${encodeURIComponent(faro.url)}` : "";
    lines.push(`SOC console (served by every pod): ${first.httpUrl}/${query}`);
  }
  const auth = process.env.AUTH_TOKEN ? ' -H "Authorization: Bearer $AUTH_TOKEN"' : "";
  if (first) lines.push(`Trigger a threat: curl -X POST${auth} ${first.httpUrl}/api/threats/trigger`);
  lines.push("Press Ctrl-C to stop.");
  return lines.join("\n");
}

function clusterOptions(
  options: UpOptions,
  signal: AbortSignal,
  onPodExit: LocalClusterOptions["onPodExit"],
) {
  return {
    replicas: options.replicas,
    delivery: options.delivery,
    ...(options.ports ? { podPorts: options.ports } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    redisPersistence: options.persistence,
    redisMode: options.redis,
    // The cluster never lets a token leak in from its environment by accident; `up` passes it on purpose.
    ...(process.env.AUTH_TOKEN ? { authToken: process.env.AUTH_TOKEN } : {}),
    ...(options.logDir ? { logDir: options.logDir } : {}),
    logToConsole: options.logToConsole,
    signal,
    ...(onPodExit ? { onPodExit } : {}),
  } satisfies LocalClusterOptions;
}

async function runUp(options: UpOptions): Promise<void> {
  const interrupt = onInterrupt("crosspod up");
  const stack = new LocalStack();
  // While starting, a pod that dies is reported by the start error itself.
  let reportCrashes = false;
  const controlToken = process.env.CROSSPOD_CONTROL_TOKEN || newControlToken();
  try {
    const cluster = await stack.startCluster(
      clusterOptions(options, interrupt.signal, (pod, exit) => {
        if (exit.expected || !reportCrashes) return;
        const log = pod.logFile ? `; log: ${pod.logFile}` : "";
        console.error(
          `crosspod up: ${pod.name} exited unexpectedly (code ${exit.code}, signal ${exit.signal})${log}`,
        );
      }),
      // --control-port puts fault proxies on every link, so the control API can inject network faults too.
      // With Sentinel, pods find the primary themselves; the proxies sit in front of the Redis nodes.
      options.controlPort !== undefined
        ? { redisLinks: options.redis === "sentinel" ? [] : "all", clientLinks: true }
        : undefined,
    );
    const faro = options.faro ? await stack.startFaro() : undefined;
    const control =
      options.controlPort !== undefined
        ? await stack.startControlApi({ token: controlToken, port: options.controlPort })
        : undefined;
    const prometheus = options.prometheus
      ? await stack.startPrometheus({ scrapeTargets: scrapeTargets(cluster, faro) })
      : undefined;
    console.log(describe(cluster, faro, prometheus));
    if (stack.chaos && control)
      console.log(
        controlBanner(stack.chaos, control, controlToken, Boolean(process.env.CROSSPOD_CONTROL_TOKEN)),
      );
    reportCrashes = true;
    if (!interrupt.signal.aborted) {
      await new Promise((resolve) => interrupt.signal.addEventListener("abort", resolve, { once: true }));
    }
    console.log(
      `Stopping: SIGTERM to pods${cluster.redis ? ", then redis-server" : cluster.redisHa ? ", then the Sentinels and Redis nodes" : ""} …`,
    );
    await stack.close();
    console.log("Stopped; no process left behind.");
  } catch (error) {
    // Ctrl-C while starting: the start fails because it was asked to stop, not because something broke.
    if (!interrupt.signal.aborted) throw error;
  } finally {
    await stack.close();
    interrupt.dispose();
  }
}

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description("Run redis-server and N backend replicas on free loopback ports until Ctrl-C")
    .option("--replicas <n>", `number of backend replicas, 1 to ${maxReplicas}`, "3")
    .option("--delivery <mode>", `backend delivery mode: ${deliveryModes.join(" | ")}`, "recover")
    .option("--redis-url <url>", "use this Redis instead of starting a private redis-server")
    .option(
      "--redis <mode>",
      `private Redis: ${redisModes.join(" | ")} (sentinel = a primary, 2 replicas and 3 Sentinels)`,
      "single",
    )
    .option("--persistence", "private redis-server keeps an append-only file (survives a Redis restart)")
    .option("--log-dir <dir>", "write pod-*.log here and keep them (default: a temp dir removed on exit)")
    .option("--log-to-console", "print pod output prefixed with the pod name instead of log files")
    .option(
      "--ports <ports>",
      "fixed pod ports: one per replica (8081,8082,8083) or a base port (8081 → 8081, 8082, …); default free ports",
    )
    .option("--control-port <port>", "serve the chaos control API on this loopback port (0 = any free port)")
    .option("--prometheus", "also run Prometheus scraping every pod, with the crosspod rules; prints its URL")
    .option(
      "--faro",
      "also run a Faro collector for the browser console; its /metrics has crosspod_browser_*",
    )
    .action((raw: Record<string, unknown>) => runUp(parseUpOptions(raw)));
}
