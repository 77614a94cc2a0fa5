// Bench-only sender for the receive-efficiency test: a minimal WebSocket server (handshake by hand) that
// sends every client a hello, then, on POST /blast?rate=R&seconds=S&run=ID, threat frames at R frames/s
// in total. Each seq's frame is serialized and framed once and the same bytes go to every socket, one
// write per socket per tick, so the sender is cheap and the engine on the other end is the bottleneck.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";
import { epochNowMs } from "../../lib/core/epoch-clock.js";
import { isMain } from "./peer-process.js";

const websocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const tickMs = 5;

const blastSchema = z.object({
  rate: z.coerce.number().positive().max(10_000_000),
  seconds: z.coerce.number().positive().max(600),
  run: z.string().min(1).max(64),
});

/** An unmasked, final text frame (server to client), RFC 6455 §5.2. */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x81, length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

export interface FrameBlaster {
  readonly port: number;
  close(): Promise<void>;
}

export async function startFrameBlaster(): Promise<FrameBlaster> {
  const sockets = new Set<Socket>();
  let seq = 0;

  function blast(rate: number, seconds: number, run: string): Promise<number> {
    const count = Math.max(1, sockets.size);
    const seqsPerSecond = rate / count;
    const startedAt = performance.now();
    const total = Math.round(seqsPerSecond * seconds);
    let sent = 0;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * seqsPerSecond));
        if (due > sent) {
          const publishedAt = epochNowMs();
          const frames: Buffer[] = [];
          for (; sent < due; sent++) {
            seq += 1;
            const n = seq;
            frames.push(
              textFrame(
                Buffer.from(
                  `{"type":"threat","seq":${n},"id":"blast-${n}","pod_origin":"blaster","published_at":${publishedAt},"threat":{"id":"blast-${n}","type":"bench","severity":"low","source_ip":"127.0.0.1","description":"prebuilt frame","probe":{"run":${JSON.stringify(run)},"publisher":"blaster","n":${n},"t":${publishedAt}}}}`,
                ),
              ),
            );
          }
          const bytes = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames);
          for (const socket of sockets) socket.write(bytes);
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve(sent * sockets.size);
        }
      }, tickMs);
    });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parsed = blastSchema.safeParse(Object.fromEntries(url.searchParams));
    if (req.method !== "POST" || url.pathname !== "/blast" || !parsed.success) {
      res.writeHead(400).end("POST /blast?rate=R&seconds=S&run=ID");
      return;
    }
    const frames = await blast(parsed.data.rate, parsed.data.seconds, parsed.data.run);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ frames }));
  });
  server.on("upgrade", (req, socket: Socket) => {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") {
      socket.destroy();
      return;
    }
    const accept = createHash("sha1")
      .update(key + websocketGuid)
      .digest("base64");
    socket.setNoDelay(true);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(
      textFrame(Buffer.from(`{"type":"hello","pod":"blaster","seq":${seq},"epoch":"blast","resume":false}`)),
    );
    sockets.add(socket);
    // Client frames (close, pong) are read and dropped; a closing client is simply forgotten.
    socket.on("data", () => {});
    socket.on("error", () => sockets.delete(socket));
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (isMain(process.argv)) {
  const blaster = await startFrameBlaster();
  process.once("SIGTERM", () => void blaster.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ listening: blaster.port }));
}
