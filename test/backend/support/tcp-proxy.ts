// A loopback TCP proxy a test can cut: a network partition between one pod and Redis, while the other
// pods keep talking to Redis directly. cut() resets every connection and refuses new ones until heal().
import { createServer, type Socket, connect as tcpConnect } from "node:net";

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.accept(client));
  private partitioned = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const address = proxy.server.address();
    proxy.port = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.partitioned = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  heal(): void {
    this.partitioned = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.partitioned) {
      client.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect(this.targetPort, "127.0.0.1");
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.pipe(to);
      from.on("error", () => to.destroy());
      from.on("close", () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}
