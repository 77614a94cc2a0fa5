// How a pod reaches Redis: straight to REDIS_URL, or through Sentinel to whichever node is the primary now.
// Both kinds of connection fail fast and reconnect forever; the Sentinel kind also follows a failover.
import { Redis, type RedisOptions } from "ioredis";

export type RedisTarget =
  | { url: string }
  | { sentinels: readonly { host: string; port: number }[]; masterName: string };

const connectionDefaults = {
  // Reconnect quickly and forever: a pod is useless without Redis, and chaos runs measure recovery time.
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000) + Math.floor(Math.random() * 100),
  // Fail fast instead of queueing: a trigger while Redis is down is a 503 now, not a publish minutes
  // later, and a command in flight when the connection drops is failed, never silently re-sent.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
  lazyConnect: true,
} satisfies RedisOptions;

const sentinelDefaults = {
  // Ask the Sentinels again soon: while they elect a new primary every answer is the dead one.
  sentinelRetryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
  // Subscribe to +switch-master and drop the connection at once: a partitioned primary keeps its sockets
  // open, so without this a pod would wait for command timeouts before asking the Sentinels again.
  failoverDetector: true,
  // A demoted primary answers writes with READONLY until Sentinel's CLIENT KILL; reconnect on the first.
  reconnectOnError: (error: Error) => error.message.startsWith("READONLY"),
  enableTLSForSentinelMode: false,
} satisfies RedisOptions;

export function createRedisConnection(target: RedisTarget, options: RedisOptions): Redis {
  if ("url" in target) return new Redis(target.url, { ...connectionDefaults, ...options });
  return new Redis({
    ...connectionDefaults,
    ...sentinelDefaults,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.masterName,
    ...options,
  });
}

/** "host:port" of the server this connection is talking to now, undefined while it is not connected. */
export function connectedAddress(connection: Redis): string | undefined {
  if (connection.status !== "ready") return undefined;
  const stream = connection.stream;
  return stream?.remoteAddress && stream.remotePort
    ? `${stream.remoteAddress}:${stream.remotePort}`
    : undefined;
}
