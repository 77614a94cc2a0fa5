// A local cluster wired for chaos: fault proxies on the links chaos needs, started before the pods that
// dial through them, and a ChaosController over both. Clients reach a pod through its `<pod>@clients`
// proxy, which fails over to the other pods while the pod refuses connections, as a load balancer would;
// a pod reaches Redis through its `redis@<pod>` proxy. With Redis Sentinel every Redis node sits behind
// its own proxy (the address it announces), which partition-redis-primary blackholes.
import {
  type LocalCluster,
  type LocalClusterOptions,
  podName,
  startLocalCluster,
} from "../cluster/local-cluster.js";
import { type ChaosStep, chaosActionPod, parseLink } from "../core/chaos-schedule.js";
import { ChaosActionError } from "./chaos-action-error.js";
import { ChaosController } from "./chaos-controller.js";
import { FaultProxy, type Upstream } from "./fault-proxy.js";

export interface ChaosClusterOptions extends LocalClusterOptions {
  /** Pods whose Redis connections go through a fault proxy, or "all". Default none. */
  redisLinks?: readonly string[] | "all";
  /** A fault proxy in front of every pod for clients (failing over to the others). Default false. */
  clientLinks?: boolean;
}

export class ChaosCluster {
  constructor(
    readonly cluster: LocalCluster,
    /** Fault proxies by link name. */
    readonly links: ReadonlyMap<string, FaultProxy>,
    readonly controller: ChaosController,
    /** Sentinel mode: the fault proxy in front of each Redis node, by node name. */
    readonly redisNodeLinks: ReadonlyMap<string, FaultProxy> = new Map(),
  ) {}

  /** The base URL clients use for each pod: its client link when there is one, else the pod itself. */
  get targetUrls(): string[] {
    return this.cluster.pods.map((pod) => {
      const proxy = this.links.get(`${pod.name}@clients`);
      return proxy ? `http://${proxy.host}:${proxy.port}` : pod.httpUrl;
    });
  }

  /** Stops the pods and Redis, then the proxies; idempotent. */
  async close(): Promise<void> {
    await this.cluster.close();
    await Promise.all(
      [...this.links.values(), ...this.redisNodeLinks.values()].map((proxy) => proxy.close()),
    );
  }
}

function upstreamOf(redisUrl: string): { upstream: Upstream; url: URL } {
  const url = new URL(redisUrl);
  return { upstream: { host: url.hostname, port: Number(url.port || 6379) }, url };
}

export async function startChaosCluster(options: ChaosClusterOptions): Promise<ChaosCluster> {
  const { redisLinks = [], clientLinks = false, ...clusterOptions } = options;
  const names = Array.from({ length: options.replicas }, (_, index) => podName(index));
  const proxiedPods = redisLinks === "all" ? names : names.filter((name) => redisLinks.includes(name));
  const links = new Map<string, FaultProxy>();
  const nodeLinks = new Map<string, FaultProxy>();
  const sentinel = clusterOptions.redisMode === "sentinel";
  if (sentinel && proxiedPods.length > 0) {
    throw new ChaosActionError(
      `faults on redis@<pod> links are not available with --redis sentinel (pods find the primary through the Sentinels); use partition-redis-primary`,
      "CROSSPOD_CHAOS_UNAVAILABLE",
    );
  }
  let cluster: LocalCluster | undefined;
  try {
    // Listening before the pods start; each learns its upstream once the cluster's Redis is known.
    for (const name of proxiedPods) links.set(`redis@${name}`, await FaultProxy.start({ upstreams: [] }));
    cluster = await startLocalCluster({
      ...clusterOptions,
      ...(sentinel
        ? {
            redisFront: async (name: string, upstream: Upstream) => {
              const proxy = await FaultProxy.start({ upstreams: [upstream] });
              nodeLinks.set(name, proxy);
              return { host: proxy.host, port: proxy.port };
            },
          }
        : {}),
      ...(proxiedPods.length === 0
        ? {}
        : {
            redisUrlForPod: (name: string, redisUrl: string) => {
              const proxy = links.get(`redis@${name}`);
              if (!proxy) return redisUrl;
              const { upstream, url } = upstreamOf(redisUrl);
              proxy.setUpstreams([upstream]);
              url.hostname = proxy.host;
              url.port = String(proxy.port);
              return url.toString().replace(/\/$/, "");
            },
          }),
    });
    if (clientLinks) {
      const pods = cluster.pods;
      for (const [index, pod] of pods.entries()) {
        const others = [...pods.slice(index + 1), ...pods.slice(0, index)];
        const upstreams = [pod, ...others].map((candidate) => ({
          host: candidate.host,
          port: candidate.port,
        }));
        links.set(`${pod.name}@clients`, await FaultProxy.start({ upstreams, balance: "failover" }));
      }
    }
  } catch (error) {
    await cluster?.close();
    await Promise.all([...links.values(), ...nodeLinks.values()].map((proxy) => proxy.close()));
    throw error;
  }
  return new ChaosCluster(
    cluster,
    links,
    new ChaosController(cluster, links, Date.now, nodeLinks),
    nodeLinks,
  );
}

/**
 * Whether a schedule needs a proxy in front of every pod: pod actions do (their clients must land on
 * another pod, as behind a load balancer) and so do faults on a clients link; Redis-side chaos does not,
 * and then clients connect straight to the pods, sparing the generator's process the forwarding.
 */
export function needsClientLinks(steps: readonly ChaosStep[]): boolean {
  return steps.some(
    (step) => chaosActionPod(step.action) !== undefined && parseLink(step.action.target)?.side !== "redis",
  );
}

/** The pods whose Redis link a schedule puts faults on: they need a `redis@<pod>` proxy. */
export function redisLinksFor(steps: readonly ChaosStep[]): string[] {
  const pods = steps.flatMap((step) => {
    const link = parseLink(step.action.target);
    return link?.side === "redis" ? [link.pod] : [];
  });
  return [...new Set(pods)];
}
