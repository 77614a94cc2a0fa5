// The floor: the least a pod must do to fan a Redis Pub/Sub message out over WebSockets. One ioredis
// subscriber, and for each message one ws.send of the same bytes to every client; no history, no
// ordering guard, no metrics, no slow-consumer policing. Triggers run one tiny script (INCR + PUBLISH) so
// frames carry a seq and published_at in the reference backend's frame format, and the same Node engine
// and delivery checker read them. Run as a child process: `node --import tsx floor-pod.ts --main`.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { WebSocketServer } from "ws";
import { z } from "zod";
import { isMain } from "./peer-process.js";
import { readTriggerBody } from "./trigger-body.js";

export interface FloorPodOptions {
  port: number;
  host: string;
  redisUrl: string;
  podName: string;
  /** Redis key prefix for the seq counter and channel. */
  keyPrefix: string;
}

export interface FloorPod {
  readonly port: number;
  close(): Promise<void>;
}

// Builds the frame inside Redis so seq order equals publish order across pods, as in the reference.
const publishScript = `
local seq = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local usec = tonumber(now[2])
local at = string.format('%s%03d.%03d', now[1], math.floor(usec / 1000), usec % 1000)
redis.call('PUBLISH', KEYS[2], '{"type":"threat","seq":' .. string.format('%d', seq) .. ',"id":' .. ARGV[1] .. ',"pod_origin":' .. ARGV[2] .. ',"published_at":' .. at .. ',"threat":' .. ARGV[3] .. '}')
return {seq, at}
`;

export async function startFloorPod(options: FloorPodOptions): Promise<FloorPod> {
  const commands = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(options.redisUrl, { lazyConnect: true });
  await Promise.all([commands.connect(), subscriber.connect()]);
  const channel = `${options.keyPrefix}threats`;
  await subscriber.subscribe(channel);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  subscriber.on("messageBuffer", (_channel: Buffer, message: Buffer) => {
    for (const ws of wss.clients) ws.send(message, { binary: false });
  });
  const hello = JSON.stringify({
    type: "hello",
    pod: options.podName,
    seq: 0,
    epoch: "floor",
    resume: false,
  });

  const server = createServer(async (req, res) => {
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
    const threat = { type: "bench", severity: "low", source_ip: "127.0.0.1", description: "floor", ...body };
    try {
      const [seq, at] = (await commands.eval(
        publishScript,
        2,
        `${options.keyPrefix}seq`,
        channel,
        JSON.stringify(id),
        JSON.stringify(options.podName),
        JSON.stringify(threat),
      )) as [number, string];
      res
        .writeHead(202, { "content-type": "application/json" })
        .end(JSON.stringify({ id, seq, pod: options.podName, published_at: Number(at) }));
    } catch (error) {
      res.writeHead(503).end(JSON.stringify({ error: (error as Error).message }));
    }
  });
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => ws.send(hello));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : options.port,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  HOST: z.string().default("127.0.0.1"),
  REDIS_URL: z.string().regex(/^redis:\/\/\S+$/, "a redis:// URL"),
  POD_NAME: z.string().min(1).max(63),
  KEY_PREFIX: z.string().min(1).max(64).default("floor:"),
});

if (isMain(process.argv)) {
  const env = envSchema.parse(process.env);
  const pod = await startFloorPod({
    port: env.PORT,
    host: env.HOST,
    redisUrl: env.REDIS_URL,
    podName: env.POD_NAME,
    keyPrefix: env.KEY_PREFIX,
  });
  process.once("SIGTERM", () => void pod.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ listening: pod.port }));
}
