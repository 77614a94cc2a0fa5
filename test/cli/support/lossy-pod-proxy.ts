// A pod's stand-in for one runner's clients: forwards HTTP and the /ws WebSocket to a real pod, but drops
// every threat frame whose seq is a multiple of `dropEvery` on the way to the client. The pod believes it
// delivered them, so those clients lose frames while connected: the loss a merged report must not hide.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

export interface LossyPodProxy {
  url: string;
  dropped: number;
  close(): Promise<void>;
}

export async function startLossyPodProxy(upstream: string, dropEvery: number): Promise<LossyPodProxy> {
  const target = new URL(upstream);
  const sockets = new WebSocketServer({ noServer: true });
  const proxy: LossyPodProxy = { url: "", dropped: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    forward.on("error", () => response.writeHead(502).end());
    request.pipe(forward);
  });
  server.on("upgrade", (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (client) => {
      const pod = new WebSocket(`ws://${target.host}${request.url ?? "/ws"}`);
      pod.on("message", (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type?: string; seq?: number };
        if (frame.type === "threat" && typeof frame.seq === "number" && frame.seq % dropEvery === 0) {
          proxy.dropped += 1;
          return;
        }
        if (client.readyState === WebSocket.OPEN) client.send(data.toString());
      });
      pod.on("close", () => client.close());
      pod.on("error", () => client.terminate());
      client.on("close", () => pod.close());
      client.on("message", (data: Buffer) => {
        if (pod.readyState === WebSocket.OPEN) pod.send(data.toString());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const client of sockets.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
