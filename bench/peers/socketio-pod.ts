// A Socket.IO v4 pod for comparison: the same trigger endpoint and frame content as the reference
// backend, broadcast with io.emit through @socket.io/redis-adapter (Redis Pub/Sub) or
// @socket.io/redis-streams-adapter. Socket.IO has no seq: frames carry the probe, so order and loss are
// judged per publisher. Configurable for reuse (a socketio protocol adapter can target it):
// port, host, redis URL, adapter, event name, pod name, connection state recovery. Run as a child process
// with `--main` and env PORT, HOST, REDIS_URL, POD_NAME, ADAPTER (pubsub|streams), EVENT_NAME, RECOVERY (0|1).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createAdapter as createPubSubAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { z } from "zod";
import { epochNowMs } from "../../lib/core/epoch-clock.js";
import { isMain } from "./peer-process.js";
import { readTriggerBody } from "./trigger-body.js";

export const socketIoAdapters = ["pubsub", "streams"] as const;

export interface SocketIoPodOptions {
  port: number;
  host: string;
  redisUrl: string;
  podName: string;
  adapter: (typeof socketIoAdapters)[number];
  /** The event every threat is emitted as. */
  eventName: string;
  /** Socket.IO connection state recovery; across pods it needs the streams adapter (sessions in Redis). */
  recovery?: boolean;
}

export interface SocketIoPod {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSocketIoPod(options: SocketIoPodOptions): Promise<SocketIoPod> {
  const redis = new Redis(options.redisUrl, { lazyConnect: true });
  const subscriber = options.adapter === "pubsub" ? redis.duplicate() : undefined;
  await Promise.all([redis.connect(), subscriber?.connect()]);
  const server = createServer();
  const io = new Server(server, {
    transports: ["websocket"],
    serveClient: false,
    perMessageDeflate: false,
    adapter: subscriber === undefined ? createStreamsAdapter(redis) : createPubSubAdapter(redis, subscriber),
    ...(options.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000 } } : {}),
  });
  server.on("request", async (req, res) => {
    if (req.url?.startsWith("/socket.io/")) return;
    if (req.method !== "POST" || req.url !== "/api/threats/trigger") {
      res.writeHead(404).end();
      return;
    }
    const body = await readTriggerBody(req);
    if (typeof body === "string") {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: body }));
      return;
    }
    const id = randomUUID();
    const publishedAt = epochNowMs();
    io.emit(options.eventName, {
      type: "threat",
      id,
      pod_origin: options.podName,
      published_at: publishedAt,
      threat: {
        id,
        type: "bench",
        severity: "low",
        source_ip: "127.0.0.1",
        description: "socket.io",
        ...body,
      },
    });
    res
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ id, pod: options.podName, published_at: publishedAt }));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : options.port,
    async close() {
      // With recovery, io.close() alone ends each socket as "server shutting down", which persists its
      // session for another pod to resume; quit() lets those writes reach Redis before the link closes.
      if (!options.recovery) io.disconnectSockets(true);
      await new Promise((resolve) => io.close(() => resolve(undefined)));
      if (options.recovery) await redis.quit();
      else redis.disconnect();
      subscriber?.disconnect();
    },
  };
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  HOST: z.string().default("127.0.0.1"),
  REDIS_URL: z.string().regex(/^redis:\/\/\S+$/, "a redis:// URL"),
  POD_NAME: z.string().min(1).max(63),
  ADAPTER: z.enum(socketIoAdapters).default("pubsub"),
  EVENT_NAME: z.string().min(1).max(64).default("threat"),
  RECOVERY: z.enum(["0", "1"]).default("0"),
});

if (isMain(process.argv)) {
  const env = envSchema.parse(process.env);
  const pod = await startSocketIoPod({
    port: env.PORT,
    host: env.HOST,
    redisUrl: env.REDIS_URL,
    podName: env.POD_NAME,
    adapter: env.ADAPTER,
    eventName: env.EVENT_NAME,
    recovery: env.RECOVERY === "1",
  });
  process.once("SIGTERM", () => void pod.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ listening: pod.port }));
}
