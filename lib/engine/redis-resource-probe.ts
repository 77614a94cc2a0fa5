// Reads Redis's memory (INFO memory: used_memory) and the history stream's length (XLEN) for the drift
// figures, over one connection of its own that fails fast instead of queueing while Redis is down.
import { Redis } from "ioredis";
import type { RedisResourceSample } from "../core/drift-recorder.js";

export class RedisResourceProbe {
  private readonly redis: Redis;

  /** `streamKey`: the reference backend's history stream (KEY_PREFIX + "stream"). */
  constructor(
    redisUrl: string,
    private readonly streamKey: string,
    timeoutMs: number,
  ) {
    this.redis = new Redis(redisUrl, {
      connectionName: "crosspod:drift",
      lazyConnect: true,
      commandTimeout: timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 1000,
    });
    // Failures surface as rejected samples; the connection's own error events would only repeat them.
    this.redis.on("error", () => {});
  }

  async sample(): Promise<RedisResourceSample> {
    if (this.redis.status === "wait") await this.redis.connect();
    const [info, length] = await Promise.all([this.redis.info("memory"), this.redis.xlen(this.streamKey)]);
    const memory = /^used_memory:(\d+)/m.exec(info)?.[1];
    return {
      ...(memory === undefined ? {} : { usedMemoryBytes: Number(memory) }),
      streamLength: length,
    };
  }

  close(): void {
    this.redis.disconnect();
  }
}
