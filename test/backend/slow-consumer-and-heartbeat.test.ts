// Protecting the pod from clients that stop reading or vanish: a slow consumer is closed with 1013 once
// its backlog passes SLOW_CONSUMER_BYTES, a peer that stops answering pings is terminated, and clients
// that behave see nothing of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { TestClient } from "../fixtures/ws-client.js";
import { type Pod, startPod, stopPods } from "./support/backend-pods.js";
import { publishDirect } from "./support/direct-publisher.js";

describe.skipIf(skipWithoutRedis)("slow consumers and dead peers", () => {
  let redis: RedisServer | undefined;
  let guarded: Pod | undefined;
  let beating: Pod | undefined;
  const clients: TestClient[] = [];

  async function connect(pod: Pod | undefined, options: { autoPong?: boolean } = {}): Promise<TestClient> {
    if (!pod) throw new Error("pod did not start");
    const client = await TestClient.connect(pod.ws, options);
    clients.push(client);
    return client;
  }

  async function slowConsumerClosed(): Promise<boolean> {
    const metrics = await (await fetch(`${guarded?.http}/metrics`)).text();
    return /crosspod_backend_slow_consumer_closed_total\{pod="guarded-pod"\} 1\b/.test(metrics);
  }

  beforeAll(async () => {
    redis = await startRedis();
    // Separate pods: a stalled reader cannot answer pings either, and the heartbeat would end it first.
    [guarded, beating] = await Promise.all([
      startPod("guarded-pod", redis.url, { SLOW_CONSUMER_BYTES: String(512 * 1024) }),
      startPod("beating-pod", redis.url, { HEARTBEAT_MS: "150" }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await stopPods([guarded, beating]);
    await redis?.dispose();
  });

  it("closes a client that stops reading with 1013 and counts it, while a reading client gets every frame", async () => {
    const stalled = await connect(guarded);
    const reading = await connect(guarded);
    // Stop reading: the kernel buffers fill, then the pod's own buffer grows past the limit. Publish in
    // small batches the reading client (sharing this process's event loop) takes in before the next.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const seqs: number[] = [];
    for (let batch = 0; batch < 300 && (batch % 2 !== 0 || !(await slowConsumerClosed())); batch++) {
      // 8 × 24 KiB: well under the limit per batch, so only the stalled client's backlog can grow.
      seqs.push(...(await publishDirect((redis as RedisServer).url, 8, { descriptionBytes: 24 * 1024 })));
      await reading.waitForThreats(seqs.length);
    }
    expect(await slowConsumerClosed()).toBe(true);
    const afterClose = await publishDirect((redis as RedisServer).url, 3);
    await reading.waitForThreats(seqs.length + afterClose.length);
    expect(reading.seqs()).toEqual([...seqs, ...afterClose]);
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await stalled.waitForClose();
    expect(closed).toEqual({ code: 1013, reason: expect.stringMatching(/slow consumer/) });
    // What was written before the close still arrives; nothing after it does.
    expect(seqs).toEqual(expect.arrayContaining(stalled.seqs()));
    expect(stalled.seqs()).not.toContain(afterClose[0]);
    expect(reading.closed).toBeUndefined();
  });

  it("terminates a peer that stops answering pings, and keeps one that answers", async () => {
    const silent = await connect(beating, { autoPong: false });
    const alive = await connect(beating);
    const closed = await silent.waitForClose(3000);
    expect(closed.code).toBe(1006);
    expect(alive.closed).toBeUndefined();
  });
});
