// A loopback TCP proxy that puts network faults on one link, switched on and off at run time: between a
// pod and Redis (the pod's REDIS_URL points here) or between clients and a pod (clients dial this port).
// With several upstreams it also balances like a Kubernetes Service: each new connection goes to the next
// upstream that accepts it, so clients of a stopped pod land on another one when they reconnect.

import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { CrosspodError } from "../core/crosspod-error.js";
import { FaultPipe } from "./fault-pipe.js";
import type { NetworkFaults } from "./network-faults.js";

export interface Upstream {
  host: string;
  port: number;
}

/**
 * round-robin: each new connection starts at the next upstream. failover: each starts at the first (the
 * link's own pod) and moves on, round-robin, only when it refuses, as clients behind a load balancer do.
 */
export type Balance = "round-robin" | "failover";

export interface FaultProxyOptions {
  /** Where connections go; with none (yet), clients are reset until setUpstreams(). */
  upstreams: readonly Upstream[];
  balance?: Balance;
  host?: string;
  /** 0 (default) lets the kernel pick a free port. */
  port?: number;
  /** For jitter; default Math.random. */
  random?: () => number;
}

export class FaultProxyError extends CrosspodError {
  override readonly code = "CROSSPOD_FAULT_PROXY";
  override readonly kind = "environment";
}

interface ProxiedConnection {
  client: Socket;
  upstream: Socket | undefined;
  /** Which of the upstreams it went to (index into the list at the time). */
  upstreamIndex: number | undefined;
  pipes: FaultPipe[];
}

const upstreamConnectTimeoutMs = 5_000;

export class FaultProxy {
  readonly host: string;
  private upstreamList: readonly Upstream[];
  private nextUpstream = 0;
  private active: NetworkFaults = {};
  private readonly connections = new Set<ProxiedConnection>();
  /** Clients accepted while blackholed: connected upstream once the link heals. */
  private readonly held = new Set<ProxiedConnection>();
  private closed = false;
  private assignedPort = 0;
  private readonly random: () => number;
  private readonly balance: Balance;

  private constructor(
    private readonly server: Server,
    options: FaultProxyOptions,
  ) {
    this.host = options.host ?? "127.0.0.1";
    this.upstreamList = [...options.upstreams];
    this.random = options.random ?? Math.random;
    this.balance = options.balance ?? "round-robin";
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    const proxy = new FaultProxy(server, options);
    server.on("connection", (client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new FaultProxyError(
            `fault proxy cannot listen on ${proxy.host}:${options.port ?? 0} (${error.code})`,
          ),
        ),
      );
      server.listen(options.port ?? 0, proxy.host, resolve);
    });
    const address = server.address();
    proxy.assignedPort = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  get port(): number {
    return this.assignedPort;
  }

  get upstreams(): readonly Upstream[] {
    return this.upstreamList;
  }

  /** Connections currently proxied (or held by a blackhole). */
  get connectionCount(): number {
    return this.connections.size;
  }

  get faults(): Readonly<NetworkFaults> {
    return this.active;
  }

  /** Replaces the upstreams for new connections; open ones keep theirs. */
  setUpstreams(upstreams: readonly Upstream[]): void {
    this.upstreamList = [...upstreams];
  }

  setLatency(latencyMs: number, jitterMs = 0): void {
    if (!(latencyMs >= 0 && jitterMs >= 0 && jitterMs <= latencyMs)) {
      throw new FaultProxyError(`latency ${latencyMs} ms ± ${jitterMs} ms: expected 0 <= jitter <= latency`);
    }
    this.active = { ...this.active, latency: { latencyMs, jitterMs } };
  }

  setBandwidth(bytesPerSecond: number): void {
    if (!(bytesPerSecond >= 1 && Number.isFinite(bytesPerSecond))) {
      throw new FaultProxyError(`bandwidth ${bytesPerSecond} B/s: expected at least 1 byte per second`);
    }
    this.active = { ...this.active, bandwidth: { bytesPerSecond } };
    for (const connection of this.connections) for (const pipe of connection.pipes) pipe.flush();
  }

  blackhole(): void {
    this.active = { ...this.active, blackhole: true };
  }

  /** Resets every connection now, and each new one on arrival until heal(). */
  reset(): void {
    this.active = { ...this.active, reset: true };
    for (const connection of [...this.connections]) this.destroy(connection, true);
  }

  /** Turns every fault off; bytes held by a blackhole flow on, held clients connect upstream. */
  heal(): void {
    this.active = {};
    for (const connection of this.connections) for (const pipe of connection.pipes) pipe.flush();
    for (const connection of [...this.held]) {
      this.held.delete(connection);
      this.connectUpstream(connection, 0);
    }
  }

  /**
   * Failover links, once the link's own pod is back: closes (FIN, no reset) the connections that failed
   * over to another pod, so their clients reconnect through this link and land on their pod again, as
   * behind a load balancer that rebalances (keep-alive trigger sockets included: the next trigger opens
   * a new one). Returns how many it closed.
   */
  rebalance(): number {
    if (this.balance !== "failover") return 0;
    let moved = 0;
    for (const connection of [...this.connections]) {
      if (connection.upstreamIndex === undefined || connection.upstreamIndex === 0) continue;
      this.destroy(connection, false);
      moved += 1;
    }
    return moved;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) this.destroy(connection, false);
    await stopped;
  }

  private accept(client: Socket): void {
    const connection: ProxiedConnection = {
      client,
      upstream: undefined,
      upstreamIndex: undefined,
      pipes: [],
    };
    client.on("error", () => this.destroy(connection, false));
    client.on("close", () => this.destroyWhenBothClosed(connection));
    if (this.closed || this.active.reset) {
      client.resetAndDestroy();
      return;
    }
    this.connections.add(connection);
    if (this.active.blackhole) {
      this.held.add(connection);
      return;
    }
    this.connectUpstream(connection, 0);
  }

  /** Tries the upstreams in turn (see Balance); a client no upstream accepts is reset. */
  private connectUpstream(connection: ProxiedConnection, tried: number): void {
    if (!this.connections.has(connection)) return;
    const count = this.upstreamList.length;
    if (tried >= count) {
      this.destroy(connection, true);
      return;
    }
    const index = this.pickUpstream(tried);
    const target = this.upstreamList[index] as Upstream;
    const upstream = tcpConnect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
    upstream.setTimeout(upstreamConnectTimeoutMs, () => upstream.destroy(new Error("connect timeout")));
    const tryNext = () => this.connectUpstream(connection, tried + 1);
    upstream.once("error", tryNext);
    upstream.once("connect", () => {
      upstream.off("error", tryNext);
      upstream.setTimeout(0);
      if (!this.connections.has(connection)) {
        upstream.destroy();
        return;
      }
      connection.upstream = upstream;
      connection.upstreamIndex = index;
      upstream.on("error", () => this.destroy(connection, false));
      upstream.on("close", () => this.destroyWhenBothClosed(connection));
      connection.client.setNoDelay(true);
      const faults = () => this.active;
      connection.pipes.push(
        new FaultPipe(connection.client, upstream, faults, this.random),
        new FaultPipe(upstream, connection.client, faults, this.random),
      );
      connection.client.resume();
    });
  }

  private pickUpstream(tried: number): number {
    const count = this.upstreamList.length;
    if (this.balance === "failover") {
      if (tried === 0 || count === 1) return 0;
      // The first upstream refused: spread its clients over the others, never back onto it.
      const index = 1 + (this.nextUpstream % (count - 1));
      this.nextUpstream = (this.nextUpstream + 1) % (count - 1);
      return index;
    }
    const index = this.nextUpstream % count;
    this.nextUpstream = (this.nextUpstream + 1) % count;
    return index;
  }

  /**
   * A clean close (FIN) travels through the pipes like data, behind the bytes still delayed, and each pipe
   * ends its destination once drained; the connection is done when both sockets have closed.
   */
  private destroyWhenBothClosed(connection: ProxiedConnection): void {
    const upstreamOpen = connection.upstream !== undefined && !connection.upstream.destroyed;
    if (connection.client.destroyed && !upstreamOpen) this.destroy(connection, false);
  }

  private destroy(connection: ProxiedConnection, reset: boolean): void {
    if (!this.connections.delete(connection)) return;
    this.held.delete(connection);
    for (const pipe of connection.pipes) pipe.stop();
    for (const socket of [connection.client, connection.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
