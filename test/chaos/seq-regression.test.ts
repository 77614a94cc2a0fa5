import { afterEach, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import type { ServerFrame, TriggerResponse } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerThreat } from "../fixtures/trigger.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";
import { killPausedPrimary, pauseReplicas } from "./support/redis-ha.js";

/** Threat ids by "epoch:seq" as one client saw them; throws on a seq given to two different threats. */
function seqMeanings(frames: readonly ServerFrame[]): Map<string, string> {
  const meanings = new Map<string, string>();
  let epoch = "";
  for (const frame of frames) {
    if (frame.type === "hello" || frame.type === "reset") epoch = frame.epoch;
    if (frame.type !== "threat") continue;
    const key = `${epoch}:${frame.seq}`;
    const known = meanings.get(key);
    if (known !== undefined && known !== frame.id) {
      throw new Error(`seq ${key} delivered as two threats: ${known} and ${frame.id}`);
    }
    meanings.set(key, frame.id);
  }
  return meanings;
}

describe.skipIf(skipWithoutRedis)("seq regression after a failover to a lagging replica", () => {
  let chaos: ChaosCluster | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await chaos?.close();
    chaos = undefined;
  });

  it("rotates the epoch, resets clients, and never gives one seq to two threats", async () => {
    chaos = await startChaosCluster({ replicas: 2, delivery: "recover", redisMode: "sentinel" });
    const [podA, podB] = chaos.cluster.pods.map((pod) => pod.httpUrl) as [string, string];
    for (const url of [podA, podB]) {
      clients.push(await TestClient.connect(`${url.replace("http", "ws")}/ws`, { label: url }));
    }
    const epochBefore = clients[0]?.hello.epoch;

    for (let i = 0; i < 5; i++) await triggerThreat(podA);
    // Five more reach the primary and, live, every client, but never the (paused) replica.
    const unpause = await pauseReplicas(chaos);
    const unreplicated: TriggerResponse[] = [];
    for (let i = 0; i < 5; i++) unreplicated.push(await triggerThreat(i % 2 ? podA : podB));
    for (const client of clients) await client.waitForThreats(10);
    const event = await killPausedPrimary(chaos, unpause);
    expect(event.ok, event.error).toBe(true);

    // The new primary's head is 5 while clients saw 10: the pods rotate the epoch and reset them.
    for (const client of clients) {
      await client.waitFor(() => client.frames.some((frame) => frame.type === "reset"), "a reset", 10_000);
    }
    const after: TriggerResponse[] = [];
    for (let i = 0; i < 5; i++) {
      const pod = i % 2 ? podA : podB;
      // A pod may still be reconnecting to the new primary (503 until it re-read its position).
      after.push(
        await waitFor(() => triggerThreat(pod).catch(() => undefined), `a 202 from ${pod}`, 10_000, 100),
      );
    }
    expect(after[0]?.seq).toBeGreaterThan(5);

    for (const client of clients) {
      await client.waitFor(
        () => after.every((trigger) => client.threats().some((frame) => frame.id === trigger.id)),
        "the threats triggered after the failover",
        10_000,
      );
      const resets = client.frames.filter((frame) => frame.type === "reset");
      expect(resets).toHaveLength(1);
      expect(resets[0]?.type === "reset" && resets[0].epoch).not.toBe(epochBefore);
      expect(() => seqMeanings(client.frames)).not.toThrow();
    }
    // The window took seqs 6-10 on the old primary: the very seqs the new primary hands out again.
    expect(unreplicated.map((trigger) => trigger.seq)).toEqual([6, 7, 8, 9, 10]);
  });
});
