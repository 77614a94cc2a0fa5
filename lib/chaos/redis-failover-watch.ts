// Measures a Redis failover as clients of the Sentinel group live it: from the chaos action until the
// primary the Sentinels name is a different node that takes a write, then until every running pod says
// on /readyz that it is subscribed through that node.
import type { PodProcess } from "../cluster/pod-process.js";
import { withRedis } from "../cluster/redis-once.js";
import type { RedisNode, RedisSentinelGroup } from "../cluster/redis-sentinel-group.js";
import type { RedisFailoverRecord } from "../core/chaos-impact.js";

const pollMs = 50;
const probeKey = "crosspod-chaos:writable";

export interface FailoverWatchOptions {
  group: RedisSentinelGroup;
  pods: readonly PodProcess[];
  /** The primary before the action. */
  from: RedisNode;
  /** When the action was issued (performance.now()). */
  startedAt: number;
  timeoutMs: number;
}

function addressOf(node: RedisNode): string {
  return `${node.address.host}:${node.address.port}`;
}

export async function watchFailover(options: FailoverWatchOptions): Promise<RedisFailoverRecord> {
  const { group, from, startedAt } = options;
  const deadline = startedAt + options.timeoutMs;
  const to = await until(deadline, async () => {
    const node = await group.primary().catch(() => undefined);
    return node && node !== from && (await takesWrite(node)) ? node : undefined;
  });
  if (to === undefined) {
    throw new Error(
      `no writable primary other than ${from.name} within ${options.timeoutMs} ms: the Sentinels did not fail over`,
    );
  }
  const noPrimaryMs = performance.now() - startedAt;
  const expected = addressOf(to);
  const pods = options.pods.filter((pod) => pod.running);
  const followed = await until(deadline, async () => {
    const primaries = await Promise.all(pods.map((pod) => readyPrimary(pod.httpUrl)));
    return primaries.every((primary) => primary === expected) ? true : undefined;
  });
  return {
    fromPrimary: `${from.name} ${addressOf(from)}`,
    toPrimary: `${to.name} ${expected}`,
    noPrimaryMs,
    ...(followed ? { resubscribeMs: performance.now() - startedAt } : {}),
  };
}

async function until<T>(deadline: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function takesWrite(node: RedisNode): Promise<boolean> {
  try {
    const reply = await withRedis(
      node.address,
      (redis) => redis.set(probeKey, String(Date.now()), "PX", 60_000),
      500,
    );
    return reply === "OK";
  } catch {
    return false;
  }
}

/** The pod's redis_primary while it is ready, else undefined. */
async function readyPrimary(httpUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
    if (response.status !== 200) return undefined;
    const body = (await response.json()) as { redis_primary?: unknown };
    return typeof body.redis_primary === "string" ? body.redis_primary : undefined;
  } catch {
    return undefined;
  }
}
