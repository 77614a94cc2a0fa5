import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FaultProxy } from "../../lib/chaos/fault-proxy.js";
import { freePort } from "../../lib/cluster/free-port.js";
import { waitFor } from "../fixtures/wait-for.js";
import {
  connectClient,
  dialOutcome,
  type EchoServer,
  startEchoServer,
  type TestClient,
} from "./support/tcp-peers.js";

const owned: Array<{ close(): Promise<void> | void }> = [];

async function echoBehindProxy(): Promise<{ echo: EchoServer; proxy: FaultProxy }> {
  const echo = await startEchoServer();
  owned.push(echo);
  const proxy = await FaultProxy.start({ upstreams: [{ host: "127.0.0.1", port: echo.port }] });
  owned.push(proxy);
  return { echo, proxy };
}

async function client(port: number): Promise<TestClient> {
  const connected = await connectClient(port);
  owned.push({ close: () => void connected.socket.destroy() });
  return connected;
}

/** Sends `text` and resolves with the milliseconds until all of it came back. */
async function roundTripMs(connection: TestClient, text: string): Promise<number> {
  const before = connection.received().length;
  const startedAt = performance.now();
  connection.socket.write(text);
  await waitFor(() => connection.received().length >= before + text.length, `echo of "${text}"`, 5000, 2);
  return performance.now() - startedAt;
}

afterEach(async () => {
  for (const item of owned.splice(0).reverse()) await item.close();
});

describe("fault proxy", () => {
  it("forwards bytes both ways unchanged while no fault is on", async () => {
    const { proxy } = await echoBehindProxy();
    const connection = await client(proxy.port);
    await roundTripMs(connection, "hello through the proxy");
    expect(connection.received().toString()).toBe("hello through the proxy");
    expect(proxy.connectionCount).toBe(1);
  });

  it("adds the latency in each direction and stops adding it after heal", async () => {
    const { proxy } = await echoBehindProxy();
    const connection = await client(proxy.port);
    await roundTripMs(connection, "warm-up");
    proxy.setLatency(100);
    const delayed = await roundTripMs(connection, "slow");
    proxy.heal();
    const healed = await roundTripMs(connection, "fast");
    // Each direction is delayed by 100 ms; timers may fire late on a busy machine, never early.
    expect(delayed).toBeGreaterThanOrEqual(198);
    expect(healed).toBeLessThan(delayed);
  });

  it("keeps the byte order of a connection under jitter", async () => {
    const { proxy } = await echoBehindProxy();
    proxy.setLatency(20, 20);
    const connection = await client(proxy.port);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}\n`);
    for (const line of lines) {
      connection.socket.write(line);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = lines.join("");
    await waitFor(() => connection.received().length >= expected.length, "all 300 lines echoed", 10_000);
    expect(connection.received().toString()).toBe(expected);
  });

  it("resets every connection and each new one until heal", async () => {
    const { proxy } = await echoBehindProxy();
    const first = await client(proxy.port);
    await roundTripMs(first, "before");
    proxy.reset();
    expect(await first.ended).toBe("ECONNRESET");
    expect(await dialOutcome(proxy.port)).toBe("ECONNRESET");
    proxy.heal();
    const after = await client(proxy.port);
    await roundTripMs(after, "after heal");
    expect(after.received().toString()).toBe("after heal");
  });

  it("holds bytes in a blackhole with the socket open, and delivers them after heal", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const connection = await client(proxy.port);
    await roundTripMs(connection, "open;");
    proxy.blackhole();
    connection.socket.write("held;");
    const held = await client(proxy.port);
    held.socket.write("new client;");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connection.received().toString()).toBe("open;");
    expect(connection.socket.destroyed).toBe(false);
    expect(echo.accepted).toBe(1);
    proxy.heal();
    await waitFor(() => connection.received().toString() === "open;held;", "held bytes after heal");
    await waitFor(() => held.received().toString() === "new client;", "the held client's bytes after heal");
    expect(echo.accepted).toBe(2);
  });

  it("limits each direction to the bandwidth", async () => {
    const { proxy } = await echoBehindProxy();
    const connection = await client(proxy.port);
    const payload = "x".repeat(40_000);
    const unlimited = await roundTripMs(connection, payload);
    proxy.setBandwidth(100_000);
    const limited = await roundTripMs(connection, payload);
    // 40 kB at 100 kB/s takes 0.4 s less the 5 kB burst, in each direction (they overlap on an echo).
    expect(limited).toBeGreaterThanOrEqual(340);
    expect(limited).toBeGreaterThan(unlimited);
    expect(connection.received().length).toBe(2 * payload.length);
  });

  it("passes a new connection to the next upstream when one refuses, like a load balancer", async () => {
    const echo = await startEchoServer();
    owned.push(echo);
    const closedPort = await freePort();
    const proxy = await FaultProxy.start({
      upstreams: [
        { host: "127.0.0.1", port: closedPort },
        { host: "127.0.0.1", port: echo.port },
      ],
    });
    owned.push(proxy);
    for (let i = 0; i < 3; i++) {
      const connection = await client(proxy.port);
      await roundTripMs(connection, `via the live upstream ${i}`);
    }
    expect(echo.accepted).toBe(3);
  });

  it("sends clients to the first upstream in failover, and to the others only while it refuses", async () => {
    const first = await startEchoServer();
    const second = await startEchoServer();
    const third = await startEchoServer();
    owned.push(first, second, third);
    const proxy = await FaultProxy.start({
      upstreams: [first, second, third].map((echo) => ({ host: "127.0.0.1", port: echo.port })),
      balance: "failover",
    });
    owned.push(proxy);
    for (let i = 0; i < 2; i++) await roundTripMs(await client(proxy.port), `to the first ${i}`);
    expect([first.accepted, second.accepted, third.accepted]).toEqual([2, 0, 0]);
    proxy.setUpstreams([{ host: "127.0.0.1", port: await freePort() }, ...proxy.upstreams.slice(1)]);
    for (let i = 0; i < 4; i++) await roundTripMs(await client(proxy.port), `to the others ${i}`);
    expect([second.accepted, third.accepted]).toEqual([2, 2]);
  });

  it("rebalances: closes the connections that failed over, and they come back to the first upstream", async () => {
    const first = await startEchoServer();
    const second = await startEchoServer();
    owned.push(first, second);
    const firstUpstream = { host: "127.0.0.1", port: first.port };
    const proxy = await FaultProxy.start({
      upstreams: [
        { host: "127.0.0.1", port: await freePort() },
        { host: "127.0.0.1", port: second.port },
      ],
      balance: "failover",
    });
    owned.push(proxy);
    const failedOver = await client(proxy.port);
    await roundTripMs(failedOver, "while the first is down");
    expect(second.accepted).toBe(1);
    proxy.setUpstreams([firstUpstream, ...proxy.upstreams.slice(1)]);
    const onFirst = await client(proxy.port);
    await roundTripMs(onFirst, "to the first again");
    expect(proxy.rebalance()).toBe(1);
    expect(await failedOver.ended).toBe("closed");
    await roundTripMs(onFirst, "still on the first");
    const back = await client(proxy.port);
    await roundTripMs(back, "reconnected");
    expect([first.accepted, second.accepted]).toEqual([2, 1]);
  });

  it("resets a client when no upstream accepts it", async () => {
    const proxy = await FaultProxy.start({ upstreams: [{ host: "127.0.0.1", port: await freePort() }] });
    owned.push(proxy);
    expect(await dialOutcome(proxy.port)).toBe("ECONNRESET");
  });

  it("passes a clean close through behind the delayed bytes", async () => {
    const server = createServer((socket) => socket.end("goodbye"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    owned.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const proxy = await FaultProxy.start({ upstreams: [{ host: "127.0.0.1", port }] });
    owned.push(proxy);
    proxy.setLatency(50);
    const connection = await client(proxy.port);
    expect(await connection.ended).toBe("closed");
    expect(connection.received().toString()).toBe("goodbye");
    await waitFor(() => proxy.connectionCount === 0, "the proxy to forget the closed connection");
  });

  it("closes every connection it holds on close", async () => {
    const { proxy } = await echoBehindProxy();
    const connections = await Promise.all([client(proxy.port), client(proxy.port)]);
    await waitFor(() => proxy.connectionCount === 2, "two proxied connections");
    await proxy.close();
    expect(await Promise.all(connections.map((c) => c.ended))).toEqual(["closed", "closed"]);
  });
});
