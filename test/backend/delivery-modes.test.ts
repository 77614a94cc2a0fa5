// What each DELIVERY mode promises when one pod loses Redis while the others keep publishing: a network
// partition between pod B and Redis (a TCP proxy that is cut, then healed). recover backfills the gap
// from history; pubsub (the seed's design) loses what was published meanwhile.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";
import { type Pod, startPod, stopPods, triggerAccepted, waitUntilReady } from "./support/backend-pods.js";
import { publishDirect } from "./support/direct-publisher.js";
import { TcpProxy } from "./support/tcp-proxy.js";

describe.skipIf(skipWithoutRedis)("delivery modes under a pod-to-Redis partition", () => {
  let redis: RedisServer | undefined;
  const proxies: TcpProxy[] = [];
  const pods: Pod[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await stopPods(pods);
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await redis?.dispose();
  });

  /** Pod A talks to Redis directly, pod B through a proxy; a client on B watches across a partition. */
  async function partitionScenario(delivery: "recover" | "pubsub") {
    if (!redis) throw new Error("redis did not start");
    const env = { DELIVERY: delivery, KEY_PREFIX: `${delivery}:` };
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const a = await startPod(`${delivery}-a`, redis.url, env);
    const b = await startPod(`${delivery}-b`, proxy.url, env);
    pods.push(a, b);
    const watcher = await TestClient.connect(b.ws);
    clients.push(watcher);
    const before = await triggerAccepted(a);
    await watcher.waitForThreats(1);

    proxy.cut();
    await waitFor(
      async () => (await fetch(`${b.http}/readyz`)).status === 503,
      `${b.name} to notice the partition (/readyz 503)`,
    );
    const duringPartition = [];
    for (let n = 0; n < 10; n++) duringPartition.push((await triggerAccepted(a)).seq);
    proxy.heal();
    await waitUntilReady(b);
    const after = await triggerAccepted(a);
    await watcher.waitFor(
      () => watcher.seqs().includes(after.seq),
      `seq ${after.seq} after the partition healed`,
    );
    return { a, b, watcher, before, duringPartition, after };
  }

  it("recover: the partitioned pod backfills what it missed, in order, and no client sees a gap", async () => {
    const { b, watcher, before, duringPartition, after } = await partitionScenario("recover");
    expect(watcher.hello.resume).toBe(true);
    expect(watcher.seqs()).toEqual([before.seq, ...duringPartition, after.seq]);
    const metrics = await (await fetch(`${b.http}/metrics`)).text();
    const backfilled = /crosspod_backend_backfilled_total\{reason="gap",pod="recover-b"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(backfilled?.[1])).toBeGreaterThanOrEqual(duringPartition.length);
  });

  it("pubsub: the partitioned pod's clients lose what was published meanwhile, and since is ignored", async () => {
    const { b, watcher, before, after } = await partitionScenario("pubsub");
    expect(watcher.hello.resume).toBe(false);
    expect(watcher.seqs()).toEqual([before.seq, after.seq]);

    const reconnected = await TestClient.connect(`${b.ws}?since=${before.seq}`);
    clients.push(reconnected);
    const next = await triggerAccepted(b);
    await reconnected.waitForThreats(1);
    expect(reconnected.seqs()).toEqual([next.seq]);
  });

  it("recover: a frame lost on the channel is read from history before the newer frame that revealed the gap", async () => {
    if (!redis) throw new Error("redis did not start");
    const prefix = "gap:";
    const pod = await startPod("gap-a", redis.url, { KEY_PREFIX: prefix });
    pods.push(pod);
    const watcher = await TestClient.connect(pod.ws);
    clients.push(watcher);
    const first = await triggerAccepted(pod);
    // The real publish script, but PUBLISHing to a channel nobody hears: in history, lost in pub/sub.
    const [lost] = await publishDirect(redis.url, 1, { prefix, channel: "nobody-listens" });
    const last = await triggerAccepted(pod);
    await watcher.waitForThreats(3);
    expect(watcher.seqs()).toEqual([first.seq, first.seq + 1, last.seq]);
    expect(lost).toBe(first.seq + 1);
  });

  it.each(["recover", "pubsub"] as const)(
    "%s: a stale frame replayed on the channel is dropped, and delivery goes on in order",
    async (delivery) => {
      if (!redis) throw new Error("redis did not start");
      const prefix = `stale-${delivery}:`;
      const pod = await startPod(`stale-${delivery}`, redis.url, { DELIVERY: delivery, KEY_PREFIX: prefix });
      pods.push(pod);
      const watcher = await TestClient.connect(pod.ws);
      clients.push(watcher);
      const first = await triggerAccepted(pod);
      const second = await triggerAccepted(pod);
      await watcher.waitForThreats(2);
      const direct = new Redis(redis.url);
      try {
        const [oldest] = (await direct.xrange(`${prefix}stream`, "-", "+", "COUNT", 1)) as [
          string,
          string[],
        ][];
        const fields = oldest?.[1] ?? [];
        await direct.publish(`${prefix}threats`, fields[1] as string);
        const third = await triggerAccepted(pod);
        await watcher.waitFor(
          () => watcher.seqs().includes(third.seq),
          `seq ${third.seq} after the stale frame`,
        );
        expect(watcher.seqs()).toEqual([first.seq, second.seq, third.seq]);
        // Settled, not spinning: no pod re-reads its position (a script call) in the quiet that follows.
        const scriptCalls = async () =>
          Number(/cmdstat_evalsha:calls=(\d+)/.exec(await direct.info("commandstats"))?.[1]);
        const before = await scriptCalls();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await scriptCalls()).toBe(before);
      } finally {
        direct.disconnect();
      }
    },
  );
});
