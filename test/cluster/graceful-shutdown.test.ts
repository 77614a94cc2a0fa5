// SIGTERM on a replica under load: clients are told 1001 (going away), the process exits 0, and a 202 is
// a promise kept: every accepted trigger is in the Redis history stream.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { closeCodes, type TriggerResponse } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { TestClient } from "../fixtures/ws-client.js";

const triggerLoops = 4;
const maxTriggersPerLoop = 300;

/** Triggers on one pod until it stops accepting (or the bound is reached); returns what got a 202. */
async function triggerUntilRefused(httpUrl: string, onAccepted: (accepted: TriggerResponse) => void) {
  for (let n = 0; n < maxTriggersPerLoop; n++) {
    let response: Response;
    try {
      response = await fetch(`${httpUrl}/api/threats/trigger`, { method: "POST" });
    } catch {
      // Connection refused or reset: the pod has stopped accepting, which is what the loop waits for.
      return;
    }
    if (response.status !== 202) {
      await response.body?.cancel();
      return;
    }
    onAccepted((await response.json()) as TriggerResponse);
  }
}

async function streamIds(redisUrl: string): Promise<Map<string, string>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    // The stream's key name is the backend's business; there is exactly one stream in this private Redis.
    const [, keys] = (await redis.call("SCAN", "0", "TYPE", "stream", "COUNT", "1000")) as [string, string[]];
    expect(keys).toHaveLength(1);
    const entries = await redis.xrange(keys[0] as string, "-", "+");
    return new Map(entries.map(([id, fields]) => [id, fields.join(" ")]));
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(skipWithoutRedis)("graceful shutdown of a replica", () => {
  let cluster: LocalCluster | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 2 });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.close();
  });

  it("closes its clients with 1001 on SIGTERM, exits 0, and every trigger that got a 202 is in the stream", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const podA = cluster.pod("pod-a");
    const podB = cluster.pod("pod-b");
    const onB = await Promise.all(
      [1, 2].map((n) => TestClient.connect(podB.wsUrl, { label: `client ${n} on pod-b` })),
    );
    const onA = await TestClient.connect(podA.wsUrl, { label: "client on pod-a" });
    clients.push(...onB, onA);

    const accepted: TriggerResponse[] = [];
    let enoughAccepted: () => void = () => {};
    const flowing = new Promise<void>((resolve) => {
      enoughAccepted = resolve;
    });
    const loops = Array.from({ length: triggerLoops }, () =>
      triggerUntilRefused(podB.httpUrl, (response) => {
        accepted.push(response);
        if (accepted.length >= 20) enoughAccepted();
      }),
    );
    await flowing;
    const exit = await podB.kill("SIGTERM");
    await Promise.all(loops);

    expect(exit).toEqual({ code: 0, signal: null, expected: true });
    for (const client of onB) expect((await client.waitForClose(5000)).code).toBe(closeCodes.goingAway);
    expect(accepted.length).toBeGreaterThanOrEqual(20);

    const stream = await streamIds(cluster.redisUrl);
    const missing = accepted.filter((response) => !stream.get(`${response.seq}-0`)?.includes(response.id));
    expect(missing).toEqual([]);
    const maxSeq = Math.max(...accepted.map((response) => response.seq));
    const seenOnA = await onA.waitFor(
      () => onA.threats().filter((frame) => frame.seq <= maxSeq).length >= accepted.length && onA.threats(),
      `all ${accepted.length} accepted threats`,
      5000,
    );
    const idsOnA = new Set(seenOnA.map((frame) => frame.id));
    expect(accepted.filter((response) => !idsOnA.has(response.id))).toEqual([]);
    console.log(
      `SIGTERM on pod-b with ${triggerLoops} trigger loops running: ${accepted.length} triggers got 202, all in the stream`,
    );
  });
});
