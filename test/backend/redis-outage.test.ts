// Redis dies under running pods and comes back: triggers get 503 while it is down (and nothing is
// half-published), /readyz goes 503 then 200, pods resubscribe on their own, and clients are told with
// a reset frame exactly when history was lost (restart without persistence).
import { afterEach, describe, expect, it } from "vitest";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import type { ErrorResponse, ThreatHistoryResponse } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { refusedUpgrade, TestClient } from "../fixtures/ws-client.js";
import {
  type Pod,
  request,
  startPod,
  startPods,
  stopPods,
  trigger,
  triggerAccepted,
  waitUntilReady,
} from "./support/backend-pods.js";

describe.skipIf(skipWithoutRedis)("redis outage", () => {
  let redis: RedisServer | undefined;
  let pods: Pod[] = [];
  let clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await stopPods(pods);
    await redis?.dispose();
    clients = [];
    pods = [];
  });

  async function setUp(persistence: boolean) {
    redis = await startRedis({ persistence });
    pods = await startPods(["pod-a", "pod-b"], redis.url);
    clients = await Promise.all(pods.map((pod) => TestClient.connect(pod.ws)));
    return {
      server: redis,
      a: pods[0] as Pod,
      b: pods[1] as Pod,
      onA: clients[0] as TestClient,
      onB: clients[1] as TestClient,
    };
  }

  async function waitUntilNotReady(pod: Pod): Promise<ErrorResponse> {
    return waitFor(async () => {
      const reply = await request<ErrorResponse>(`${pod.http}/readyz`);
      return reply.status === 503 && reply.body;
    }, `${pod.name} /readyz to answer 503`);
  }

  it("without persistence: 503 while down, ready again after, and a reset frame with the new epoch", async () => {
    const { server, a, b, onA, onB } = await setUp(false);
    const oldEpoch = onA.hello.epoch;
    for (let n = 0; n < 3; n++) await triggerAccepted(a);
    await Promise.all([onA.waitForThreats(3), onB.waitForThreats(3)]);

    await server.kill();
    const notReady = await waitUntilNotReady(a);
    expect(notReady.error.code).toBe("redis_unavailable");
    await waitUntilNotReady(b);
    const refused = await trigger(b);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body).toMatchObject({ error: { code: "redis_unavailable" } });

    await server.start();
    await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
    for (const client of [onA, onB]) {
      const reset = await client.waitFor(
        () => client.frames.find((frame) => frame.type === "reset"),
        "a reset frame",
      );
      expect(reset).toEqual({ type: "reset", epoch: expect.any(String) });
      expect(reset.type === "reset" && reset.epoch).not.toBe(oldEpoch);
    }
    const fresh = await triggerAccepted(b);
    expect(fresh.seq).toBe(1);
    for (const client of [onA, onB]) {
      await client.waitForThreats(4);
      expect(client.seqs()).toEqual([1, 2, 3, 1]);
      expect(client.frames.map((frame) => frame.type)).toEqual([
        "hello",
        "threat",
        "threat",
        "threat",
        "reset",
        "threat",
      ]);
    }
    const metrics = await (await fetch(`${a.http}/metrics`)).text();
    expect(metrics).toMatch(/crosspod_backend_redis_up\{pod="pod-a"\} 1/);
  });

  it("with persistence: triggers racing the kill are either 202 and in history, or 503; no reset, no gap", async () => {
    const { server, a, b, onA, onB } = await setUp(true);
    const accepted: number[] = [];
    let refused = 0;
    let stop = false;
    const publisher = (async () => {
      for (let n = 0; n < 2000 && !stop; n++) {
        const reply = await trigger(n % 2 === 0 ? a : b);
        if (reply.status === 202) accepted.push(reply.body.seq);
        else if (reply.status === 503) refused++;
        else throw new Error(`unexpected status ${reply.status}`);
      }
    })();
    await waitFor(() => accepted.length >= 10, "ten accepted triggers before the kill");
    await server.kill();
    await waitFor(() => refused >= 3, "triggers refused with 503 while Redis is down");
    await server.start();
    await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
    const acceptedAfterRestart = accepted.length;
    await waitFor(
      () => accepted.length >= acceptedAfterRestart + 10,
      "ten accepted triggers after the restart",
    );
    stop = true;
    await publisher;

    const history = await request<ThreatHistoryResponse>(`${a.http}/api/threats?since=0&limit=1000`);
    const stored = history.body.threats.map((frame) => frame.seq);
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    for (const seq of accepted) expect(stored).toContain(seq);
    const head = history.body.head;
    for (const client of [onA, onB]) {
      await client.waitFor(() => client.seqs().at(-1) === head, `seq ${head} on every client`);
      expect(client.frames.some((frame) => frame.type === "reset")).toBe(false);
      expect(client.seqs()).toEqual(stored);
    }
  });

  it("a pod started before Redis is alive but not ready, and becomes ready on its own when Redis comes up", async () => {
    redis = await startRedis();
    await redis.kill();
    const early = await startPod("early-pod", redis.url, {}, { waitForReady: false });
    pods = [early];
    expect((await fetch(`${early.http}/healthz`)).status).toBe(200);
    expect((await request<ErrorResponse>(`${early.http}/readyz`)).body.error.code).toBe("redis_unavailable");
    expect((await trigger(early)).status).toBe(503);
    expect(await refusedUpgrade(early.ws)).toMatchObject({
      status: 503,
      body: { error: { code: "not_ready" } },
    });

    await redis.start();
    await waitUntilReady(early);
    const client = await TestClient.connect(early.ws);
    clients = [client];
    const accepted = await triggerAccepted(early);
    expect(accepted.seq).toBe(1);
    await client.waitForThreats(1);
  });
});
