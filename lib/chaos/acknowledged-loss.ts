// The point of Redis failover chaos: which triggers the backend acknowledged (202) are gone. Replication
// is asynchronous, so a primary can die holding writes its replica never got; the promoted replica's
// history then lacks them and no pod can deliver them to anyone again. This reads the surviving history
// (the stream on the primary the Sentinels name after the run) and returns the acknowledged triggers
// whose probe is in no entry.
import type { Redis } from "ioredis";
import { withRedis } from "../cluster/redis-once.js";
import type { RedisSentinelGroup } from "../cluster/redis-sentinel-group.js";
import type { AcknowledgedTrigger } from "../core/chaos-impact.js";

const pageSize = 10_000;
/** Bounds the scan: the stream is capped near STREAM_MAXLEN (100,000 by default). */
const maxPages = 1_000;

/** Probe keys ("publisher:n") of every entry in the stream at `streamKey`. */
export async function probesInHistory(redis: Redis, streamKey: string): Promise<Set<string>> {
  const probes = new Set<string>();
  let from = "-";
  for (let page = 0; page < maxPages; page++) {
    const entries = (await redis.xrange(streamKey, from, "+", "COUNT", pageSize)) as [string, string[]][];
    for (const [, fields] of entries) {
      const index = fields.indexOf("frame");
      const text = index >= 0 ? fields[index + 1] : undefined;
      const probe = text === undefined ? undefined : probeOf(text);
      if (probe !== undefined) probes.add(probe);
    }
    if (entries.length < pageSize) break;
    from = `(${(entries.at(-1) as [string, string[]])[0]}`;
  }
  return probes;
}

function probeOf(frameText: string): string | undefined {
  try {
    const frame = JSON.parse(frameText) as { threat?: { probe?: { publisher?: unknown; n?: unknown } } };
    const probe = frame.threat?.probe;
    return typeof probe?.publisher === "string" && typeof probe.n === "number"
      ? `${probe.publisher}:${probe.n}`
      : undefined;
  } catch {
    return undefined;
  }
}

export async function acknowledgedLost(
  group: RedisSentinelGroup,
  acknowledged: readonly AcknowledgedTrigger[],
  keyPrefix: string,
): Promise<AcknowledgedTrigger[]> {
  const primary = await group.primary();
  const probes = await withRedis(
    primary.address,
    (redis) => probesInHistory(redis, `${keyPrefix}stream`),
    10_000,
  );
  return acknowledged.filter((trigger) => !probes.has(`${trigger.publisher}:${trigger.n}`));
}
