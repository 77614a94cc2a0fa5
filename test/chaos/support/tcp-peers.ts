// Real TCP peers for fault proxy tests: an echo server, and a client that collects what it reads.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface EchoServer {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    echo.accepted += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const echo: EchoServer = {
    port: typeof address === "object" && address ? address.port : 0,
    accepted: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return echo;
}

export interface TestClient {
  socket: Socket;
  received(): Buffer;
  /** Resolves with the error code (ECONNRESET) or "closed" once the socket is gone. */
  ended: Promise<string>;
}

export function connectClient(port: number): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tcpConnect({ host: "127.0.0.1", port, noDelay: true });
    let failure = "closed";
    const ended = new Promise<string>((resolveEnd) => socket.on("close", () => resolveEnd(failure)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message;
    });
    socket.once("connect", () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once("error", reject);
  });
}

/** Dials `port` and resolves with how the socket ended (ECONNRESET, or "closed"), whether before or after connect. */
export function dialOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    let failure = "closed";
    socket.on("error", (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message;
    });
    socket.on("close", () => resolve(failure));
  });
}
