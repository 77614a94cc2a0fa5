// Publishes threats straight through the backend's own publish script, bypassing HTTP: fast enough to
// flood a pod, and able to publish to a channel nobody hears (a frame lost in pub/sub, kept in history).
import { Redis } from "ioredis";
import { publishScript } from "../../../lib/backend/publish-script.js";

export interface DirectPublishOptions {
  prefix?: string;
  /** Defaults to the channel the pods subscribe to. */
  channel?: string;
  descriptionBytes?: number;
}

/** Publishes `count` threats in one pipeline and resolves with their seqs. */
export async function publishDirect(
  redisUrl: string,
  count: number,
  options: DirectPublishOptions = {},
): Promise<number[]> {
  const prefix = options.prefix ?? "crosspod:";
  const redis = new Redis(redisUrl);
  try {
    const epoch = (await redis.get(`${prefix}epoch`)) ?? "";
    const pipeline = redis.pipeline();
    for (let n = 0; n < count; n++) {
      const id = `direct-${Date.now()}-${n}`;
      const threat = {
        id,
        type: "direct",
        severity: "low",
        source_ip: "198.51.100.1",
        description: "x".repeat(options.descriptionBytes ?? 10),
      };
      pipeline.eval(
        publishScript,
        4,
        `${prefix}seq`,
        `${prefix}stream`,
        `${prefix}epoch`,
        `${prefix}threat:${id}`,
        epoch,
        100_000,
        60,
        options.channel ?? `${prefix}threats`,
        JSON.stringify(id),
        '"direct"',
        JSON.stringify(threat),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      return Number((reply as [number, string])[0]);
    });
  } finally {
    redis.disconnect();
  }
}
