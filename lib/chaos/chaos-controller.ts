// Runs chaos actions against a local cluster and its fault proxies and keeps a timestamped event for
// each: when it was issued, what it did, how long it took and how it ended. Actions on one target run one
// after another (a restart waits for the kill before it), actions on different targets concurrently.
import type { LocalCluster } from "../cluster/local-cluster.js";
import type { PodExit, PodProcess } from "../cluster/pod-process.js";
import type { RedisSentinelGroup } from "../cluster/redis-sentinel-group.js";
import type { RedisServer } from "../cluster/redis-server.js";
import type { AcknowledgedTrigger, RedisFailoverRecord } from "../core/chaos-impact.js";
import {
  type ChaosAction,
  type ChaosActionName,
  chaosActionDetail,
  parseLink,
} from "../core/chaos-schedule.js";
import { acknowledgedLost } from "./acknowledged-loss.js";
import { ChaosActionError } from "./chaos-action-error.js";
import type { FaultProxy } from "./fault-proxy.js";
import { watchFailover } from "./redis-failover-watch.js";

export interface ChaosEvent {
  /** When the action was issued, epoch ms. */
  atMs: number;
  action: ChaosActionName;
  target: string;
  /** The signal or fault parameters, and how it ended ("SIGKILL; exited on SIGKILL"). */
  detail: string;
  durationMs: number;
  ok: boolean;
  error?: string;
  /** Failover actions: the primary before and after, time without one, pods' time to follow. */
  redis?: RedisFailoverRecord;
}

export type ChaosEventListener = (event: ChaosEvent) => void;

/** Events kept for GET /chaos/events; older ones are dropped first. */
const maxEvents = 10_000;

/** How long a failover action waits for a new writable primary and for the pods to follow it. */
const failoverWatchMs = 30_000;

function describeExit(exit: PodExit): string {
  return exit.signal ? `exited on ${exit.signal}` : `exited with code ${exit.code}`;
}

export class ChaosController {
  private readonly recorded: ChaosEvent[] = [];
  private readonly listeners = new Set<ChaosEventListener>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly cluster: LocalCluster,
    /** Fault proxies by link name: "redis@pod-a", "pod-a@clients". */
    private readonly links: ReadonlyMap<string, FaultProxy> = new Map(),
    private readonly now: () => number = Date.now,
    /** Sentinel mode: the fault proxy in front of each Redis node, by node name ("redis-1"). */
    private readonly redisNodeLinks: ReadonlyMap<string, FaultProxy> = new Map(),
  ) {}

  get events(): readonly ChaosEvent[] {
    return this.recorded;
  }

  get linkNames(): string[] {
    return [...this.links.keys()];
  }

  /**
   * After a run in which this controller failed Redis over: the acknowledged triggers the surviving
   * history lacks. Undefined without a failover (nothing to check).
   */
  async acknowledgedLost(
    acknowledged: readonly AcknowledgedTrigger[],
  ): Promise<AcknowledgedTrigger[] | undefined> {
    const group = this.cluster.redisHa;
    if (!group || !this.recorded.some((event) => event.redis !== undefined)) return undefined;
    // Pods inherit the supervisor's environment, KEY_PREFIX included.
    const keyPrefix = process.env.KEY_PREFIX || "crosspod:";
    return acknowledgedLost(group, acknowledged, keyPrefix);
  }

  /** Called after each action with its event. Returns a function that unsubscribes. */
  onEvent(listener: ChaosEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws ChaosActionError, before anything is done, when this cluster has no such target. */
  check(action: ChaosAction): void {
    switch (action.action) {
      case "kill-pod":
      case "stop-pod":
      case "restart-pod":
        this.podOf(action.target);
        return;
      case "kill-redis":
      case "stop-redis":
        this.redisServer();
        return;
      case "restart-redis":
        if (!this.cluster.redisHa) this.redisServer();
        return;
      case "failover-redis":
      case "kill-redis-primary":
      case "heal-redis":
        this.sentinelGroup();
        return;
      case "partition-redis-primary":
        this.sentinelGroup();
        if (this.redisNodeLinks.size === 0) {
          throw new ChaosActionError(
            "partition-redis-primary needs a fault proxy in front of each Redis node (a chaos cluster with --redis sentinel)",
            "CROSSPOD_CHAOS_UNAVAILABLE",
          );
        }
        return;
      default:
        this.linkOf(action.target);
    }
  }

  /**
   * Runs the action once earlier actions on the same target are done. Resolves with its event, also when
   * it failed (ok false, error set); rejects only for a target this cluster does not have.
   */
  apply(action: ChaosAction): Promise<ChaosEvent> {
    this.check(action);
    const key = parseLink(action.target) ? `link:${action.target}` : action.target;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.execute(action));
    this.queues.set(key, next);
    const forget = () => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  private async execute(action: ChaosAction): Promise<ChaosEvent> {
    const atMs = this.now();
    const startedAt = performance.now();
    let outcome = "";
    let error: string | undefined;
    let redis: RedisFailoverRecord | undefined;
    try {
      if (isFailover(action.action)) {
        redis = await this.failover(action.action, startedAt);
        outcome = describeFailover(redis);
      } else {
        outcome = await this.perform(action);
      }
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const detail = [chaosActionDetail(action), outcome].filter(Boolean).join("; ");
    const event: ChaosEvent = {
      atMs,
      action: action.action,
      target: action.target,
      detail,
      durationMs: performance.now() - startedAt,
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
      ...(redis ? { redis } : {}),
    };
    this.recorded.push(event);
    if (this.recorded.length > maxEvents) this.recorded.shift();
    for (const listener of [...this.listeners]) listener(event);
    return event;
  }

  /** Does the action; resolves with how it ended, for the event's detail. */
  private async perform(action: ChaosAction): Promise<string> {
    switch (action.action) {
      case "kill-pod":
      case "stop-pod": {
        const pod = this.podOf(action.target);
        if (!pod.running) return "was not running";
        return describeExit(await pod.kill(action.action === "kill-pod" ? "SIGKILL" : "SIGTERM"));
      }
      case "restart-pod": {
        const pod = this.podOf(action.target);
        const stopped = pod.running ? `${describeExit(await pod.kill("SIGTERM"))}, ` : "";
        const startedAt = performance.now();
        await pod.start();
        const ready = `${stopped}ready after ${Math.round(performance.now() - startedAt)} ms`;
        // Clients and trigger sockets that failed over while it was down come back to it.
        const moved = this.links.get(`${pod.name}@clients`)?.rebalance() ?? 0;
        return moved > 0 ? `${ready}, ${moved} failed-over connections sent back` : ready;
      }
      case "kill-redis":
        await this.redisServer().kill();
        return "";
      case "stop-redis":
        await this.redisServer().stop();
        return "";
      case "restart-redis": {
        const group = this.cluster.redisHa;
        if (group) {
          const restarted = await group.restartStopped();
          return restarted.length > 0
            ? `${restarted.join(", ")} restarted as replicas`
            : "every node was running";
        }
        const redis = this.redisServer();
        if (redis.running) await redis.stop();
        await redis.start();
        return `answering on port ${redis.port}`;
      }
      case "latency":
        this.linkOf(action.target).setLatency(action.latencyMs, action.jitterMs);
        return "";
      case "bandwidth":
        this.linkOf(action.target).setBandwidth(action.bytesPerSecond);
        return "";
      case "blackhole":
        this.linkOf(action.target).blackhole();
        return "";
      case "reset": {
        const proxy = this.linkOf(action.target);
        const connections = proxy.connectionCount;
        proxy.reset();
        return `${connections} connections reset`;
      }
      case "heal":
        this.linkOf(action.target).heal();
        return "";
      case "heal-redis":
        for (const proxy of this.redisNodeLinks.values()) proxy.heal();
        return `${this.redisNodeLinks.size} node links healed`;
      default:
        throw new ChaosActionError(`${action.action} is not carried out here`, "CROSSPOD_CHAOS_UNAVAILABLE");
    }
  }

  /** Fails the primary over one of three ways, then watches until a new one writes and the pods follow. */
  private async failover(
    action: "failover-redis" | "kill-redis-primary" | "partition-redis-primary",
    startedAt: number,
  ): Promise<RedisFailoverRecord> {
    const group = this.sentinelGroup();
    const from = await group.primary();
    if (action === "failover-redis") await group.failover();
    else if (action === "kill-redis-primary") await from.server.kill();
    else {
      const proxy = this.redisNodeLinks.get(from.name);
      if (!proxy)
        throw new ChaosActionError(`no fault proxy in front of ${from.name}`, "CROSSPOD_CHAOS_UNAVAILABLE");
      proxy.blackhole();
    }
    return watchFailover({ group, pods: this.cluster.pods, from, startedAt, timeoutMs: failoverWatchMs });
  }

  private sentinelGroup(): RedisSentinelGroup {
    const group = this.cluster.redisHa;
    if (!group) {
      throw new ChaosActionError(
        "this action needs Redis with Sentinel: start the cluster with --redis sentinel",
        "CROSSPOD_CHAOS_UNAVAILABLE",
      );
    }
    return group;
  }

  private podOf(name: string): PodProcess {
    const pod = this.cluster.pods.find((candidate) => candidate.name === name);
    if (!pod) {
      const known = this.cluster.pods.map((candidate) => candidate.name).join(", ");
      throw new ChaosActionError(
        `no pod "${name}" in this cluster (pods: ${known})`,
        "CROSSPOD_CHAOS_TARGET",
      );
    }
    return pod;
  }

  private redisServer(): RedisServer {
    const redis = this.cluster.redis;
    if (!redis && this.cluster.redisHa) {
      throw new ChaosActionError(
        "this cluster runs Redis with Sentinel: use kill-redis-primary, failover-redis or partition-redis-primary",
        "CROSSPOD_CHAOS_UNAVAILABLE",
      );
    }
    if (!redis) {
      throw new ChaosActionError(
        "this cluster uses an external Redis (--redis-url): Redis actions need the cluster's own redis-server",
        "CROSSPOD_CHAOS_UNAVAILABLE",
      );
    }
    return redis;
  }

  private linkOf(name: string): FaultProxy {
    const proxy = this.links.get(name);
    if (!proxy) {
      const known = this.linkNames.join(", ") || "none";
      throw new ChaosActionError(
        `no fault proxy on the link "${name}" (links with one: ${known})`,
        "CROSSPOD_CHAOS_UNAVAILABLE",
      );
    }
    return proxy;
  }
}

function isFailover(
  action: ChaosActionName,
): action is "failover-redis" | "kill-redis-primary" | "partition-redis-primary" {
  return (
    action === "failover-redis" || action === "kill-redis-primary" || action === "partition-redis-primary"
  );
}

function describeFailover(redis: RedisFailoverRecord): string {
  const follow =
    redis.resubscribeMs === undefined
      ? "not every pod followed"
      : `pods followed after ${Math.round(redis.resubscribeMs)} ms`;
  return `primary ${redis.fromPrimary} -> ${redis.toPrimary}, writable after ${Math.round(redis.noPrimaryMs)} ms, ${follow}`;
}
