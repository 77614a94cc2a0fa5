// A backend in the style of the seed's SOC API, for the generic-json adapter's tests: N in-process pods,
// each an HTTP server plus a WebSocket endpoint, sharing threats over Redis Pub/Sub. Nothing like crosspod's
// protocol: no seq, no published_at, a welcome frame, heartbeats, frames {"type":"new_threat","data":{…}}
// with an ISO timestamp, and the trigger's description echoed back (where the probe rides).
// One pod can withhold chosen probes from one of its clients, so a test knows exactly what was lost.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { WebSocket, WebSocketServer } from "ws";

export interface DropRule {
  pod: string;
  /** Which WebSocket the pod accepted, from 0 (the engine's discovery connection comes first). */
  connectionIndex: number;
  /** Withholds the frames whose probe n this says to. */
  withhold: (n: number) => boolean;
}

export interface SeedStylePod {
  name: string;
  httpUrl: string;
  wsUrl: string;
}

export interface SeedStyleBackend {
  pods: SeedStylePod[];
  /** Frames the drop rule withheld, by probe n. */
  dropped: number[];
  close(): Promise<void>;
}

const channel = "soc:threats";
const heartbeatMs = 250;

async function readJson(req: import("node:http").IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += chunk;
  const value: unknown = text === "" ? {} : JSON.parse(text);
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export async function startSeedStyleBackend(options: {
  redisUrl: string;
  pods: number;
  drop?: DropRule;
}): Promise<SeedStyleBackend> {
  const dropped: number[] = [];
  const closers: (() => Promise<void>)[] = [];
  const pods: SeedStylePod[] = [];
  try {
    for (let i = 0; i < options.pods; i++) {
      const name = `soc-${String.fromCharCode(97 + i)}`;
      const publisher = new Redis(options.redisUrl);
      const subscriber = new Redis(options.redisUrl);
      closers.push(async () => {
        publisher.disconnect();
        subscriber.disconnect();
      });
      const server: Server = createServer(async (req, res) => {
        if (req.method !== "POST" || req.url !== "/api/threats/trigger") {
          res.writeHead(404).end();
          return;
        }
        const body = await readJson(req).catch(() => undefined);
        if (body === undefined) {
          res.writeHead(400, { "content-type": "application/json" }).end('{"detail":"invalid JSON"}');
          return;
        }
        const threat = {
          id: randomUUID(),
          threat_type: "brute_force",
          severity: typeof body.severity === "string" ? body.severity : "medium",
          description: typeof body.description === "string" ? body.description : "random threat",
          timestamp: new Date().toISOString(),
          source_pod: name,
        };
        await publisher.publish(channel, JSON.stringify(threat));
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ status: "triggered", threat }));
      });
      const wss = new WebSocketServer({ server, path: "/ws/threats" });
      let accepted = 0;
      const drops = new WeakSet<WebSocket>();
      wss.on("connection", (ws) => {
        const rule = options.drop;
        if (rule?.pod === name && accepted === rule.connectionIndex) drops.add(ws);
        accepted += 1;
        ws.send(JSON.stringify({ type: "connected", message: `connected to ${name}` }));
      });
      const heartbeat = setInterval(() => {
        for (const ws of wss.clients) ws.send('{"type":"heartbeat"}');
      }, heartbeatMs);
      await subscriber.subscribe(channel);
      subscriber.on("message", (_channel: string, message: string) => {
        const frame = `{"type":"new_threat","data":${message}}`;
        const n = Number(/\\"n\\":(\d+)/.exec(message)?.[1] ?? Number.NaN);
        for (const ws of wss.clients) {
          if (ws.readyState !== WebSocket.OPEN) continue;
          if (options.drop && drops.has(ws) && options.drop.withhold(n)) {
            dropped.push(n);
            continue;
          }
          ws.send(frame);
        }
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      closers.push(async () => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      pods.push({ name, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws/threats` });
    }
  } catch (error) {
    await Promise.all(closers.map((close) => close()));
    throw error;
  }
  return { pods, dropped, close: async () => void (await Promise.all(closers.map((close) => close()))) };
}
