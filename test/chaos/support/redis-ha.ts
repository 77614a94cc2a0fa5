// Redis Sentinel chaos with the replication window forced open: the replicas are paused (CLIENT PAUSE
// WRITE holds back the replication stream and its acks) before the primary is killed, so every write
// made meanwhile exists on the primary only and the loss is deterministic. Plus the oracles a test
// computes without the engine: the pods' 202 counters and the surviving stream.
import type { ChaosCluster } from "../../../lib/chaos/chaos-cluster.js";
import type { ChaosEvent } from "../../../lib/chaos/chaos-controller.js";
import { withRedis } from "../../../lib/cluster/redis-once.js";
import type { RedisNode, RedisSentinelGroup } from "../../../lib/cluster/redis-sentinel-group.js";
import type {
  AcknowledgedTrigger,
  ChaosTimeline,
  ChaosTimelineEvent,
} from "../../../lib/core/chaos-impact.js";
import { waitFor } from "../../fixtures/wait-for.js";

/** A command straight to a node's own port, past its fault proxy. */
export function nodeCommand(node: RedisNode, ...args: (string | number)[]): Promise<unknown> {
  const address = { host: node.server.host, port: node.server.port };
  return withRedis(address, (redis) => redis.call(String(args[0]), ...args.slice(1)));
}

export function group(chaos: ChaosCluster): RedisSentinelGroup {
  const redisHa = chaos.cluster.redisHa;
  if (!redisHa) throw new Error("the cluster has no Sentinel group");
  return redisHa;
}

function offsetOf(info: unknown, field: string): number {
  const match = new RegExp(`${field}:(\\d+)`).exec(String(info));
  return match ? Number(match[1]) : -1;
}

/**
 * Pauses replication into every replica, all at the same offset: writes on the primary are held for
 * the moment it takes the replicas to catch up and be paused, so none of them is ahead of another
 * (Sentinel might promote the one behind, and a write only the other confirmed would be lost, which is
 * a real limit of WAIT but not what these tests force). Resolves with a function lifting the pause.
 */
export async function pauseReplicas(chaos: ChaosCluster): Promise<() => Promise<void>> {
  const redisHa = group(chaos);
  const primary = await redisHa.primary();
  const replicas = redisHa.nodes.filter((node) => node !== primary);
  await nodeCommand(primary, "CLIENT", "PAUSE", 5_000, "WRITE");
  try {
    const head = offsetOf(await nodeCommand(primary, "INFO", "replication"), "master_repl_offset");
    for (const replica of replicas) {
      await waitFor(
        async () => offsetOf(await nodeCommand(replica, "INFO", "replication"), "slave_repl_offset") >= head,
        `${replica.name} to catch up with the primary`,
        5_000,
      );
    }
    await Promise.all(replicas.map((node) => nodeCommand(node, "CLIENT", "PAUSE", 10_000, "WRITE")));
  } finally {
    await nodeCommand(primary, "CLIENT", "UNPAUSE");
  }
  return async () => {
    for (const node of redisHa.nodes) {
      if (node.server.running) await nodeCommand(node, "CLIENT", "UNPAUSE");
    }
  };
}

/**
 * Kills the primary while its replicas are paused, then lifts the pause at once. A paused replica has
 * the primary's stream in its input buffer but not applied; when the link drops it discards that
 * buffer, so exactly the writes of the window are gone. The pause stays short because Sentinel's own
 * commands to a paused replica wait too, and a replica silent past down-after cannot be promoted.
 */
export async function killPrimaryInWindow(chaos: ChaosCluster, windowMs: number): Promise<ChaosEvent> {
  const unpause = await pauseReplicas(chaos);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return killPausedPrimary(chaos, unpause);
}

/** Kills the primary of replicas paused by pauseReplicas(), and lifts their pause once it is dead. */
export async function killPausedPrimary(
  chaos: ChaosCluster,
  unpause: () => Promise<void>,
): Promise<ChaosEvent> {
  const old = await group(chaos).primary();
  const killed = chaos.controller.apply({ action: "kill-redis-primary", target: "redis" });
  await waitFor(() => !old.server.running, `${old.name} to die`, 5000, 5);
  await unpause();
  return killed;
}

/** A chaos timeline for the engine: at `atSeconds`, `act` runs once; its event goes into the report. */
export function timeline(
  chaos: ChaosCluster,
  atSeconds: number,
  act: () => Promise<ChaosEvent>,
): ChaosTimeline {
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    start(onEvent: (event: ChaosTimelineEvent) => void) {
      timer = setTimeout(() => {
        running = act().then(onEvent);
      }, atSeconds * 1000);
    },
    async stop() {
      clearTimeout(timer);
      await running;
    },
    acknowledgedLost: (acknowledged: readonly AcknowledgedTrigger[]) =>
      chaos.controller.acknowledgedLost(acknowledged),
  };
}

/** Triggers the pods answered 202, from their own counters (crosspod_backend_published_total). */
export async function podsAcknowledged(chaos: ChaosCluster): Promise<number> {
  let total = 0;
  for (const pod of chaos.cluster.pods) {
    const text = await (await fetch(`${pod.httpUrl}/metrics`)).text();
    const line = text.split("\n").find((row) => row.startsWith("crosspod_backend_published_total"));
    total += Number(line?.split(" ").at(-1) ?? 0);
  }
  return total;
}

/** Entries in the history stream of the primary the Sentinels name now. */
export async function survivingEntries(chaos: ChaosCluster): Promise<number> {
  const primary = await group(chaos).primary();
  return Number(await nodeCommand(primary, "XLEN", "crosspod:stream"));
}
