// One short conversation with a Redis node or a Sentinel, for the supervisor's checks and chaos: connect,
// run the work, disconnect. No retries and no offline queue: a node that is down fails the work at once.
import { Redis } from "ioredis";

export interface RedisAddress {
  host: string;
  port: number;
}

export async function withRedis<T>(
  address: RedisAddress,
  work: (redis: Redis) => Promise<T>,
  commandTimeoutMs = 2000,
): Promise<T> {
  const redis = new Redis({
    host: address.host,
    port: address.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: commandTimeoutMs,
  });
  // Failures reach the caller through the rejected work; the event would only be noise.
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
