// The seed's critical test, through real processes: redis-server and three backend replicas.
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import type { ThreatFrame } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerThreat } from "../fixtures/trigger.js";
import { TestClient } from "../fixtures/ws-client.js";

function frameWithId(client: TestClient, id: string): () => ThreatFrame | undefined {
  return () => client.threats().find((frame) => frame.id === id);
}

const epochNowMs = () => performance.timeOrigin + performance.now();

const ms = (value: number) => `${value.toFixed(1)} ms`;

describe.skipIf(skipWithoutRedis)("cross-pod delivery through three backend processes", () => {
  let cluster: LocalCluster | undefined;
  let clients: TestClient[] = [];

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3 });
    clients = await Promise.all(
      cluster.pods.map((pod) =>
        TestClient.connect(pod.wsUrl, { label: `Client on Pod ${pod.name.slice(-1).toUpperCase()}` }),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.close();
  });

  it("delivers a threat triggered on pod A to clients on pods A, B and C", async () => {
    const podA = cluster?.pod("pod-a");
    if (!podA) throw new Error("the cluster did not start");
    console.log("🚨 Triggering threat on Pod A...");
    const startedAt = epochNowMs();
    const accepted = await triggerThreat(podA.httpUrl, {
      type: "cross-pod-test-threat",
      severity: "critical",
      source_ip: "10.0.0.42",
      description: "Cross-pod broadcasting test",
    });
    console.log("⏳ Waiting for all WebSocket clients to receive the threat...");
    const frames = await Promise.all(
      clients.map((client) =>
        client.waitFor(frameWithId(client, accepted.id), `threat ${accepted.id}`, 5000),
      ),
    );

    console.log("\n✅ Verifying cross-pod broadcasting...");
    for (const frame of frames) {
      expect(frame).toEqual(frames[0]);
      expect(frame).toMatchObject({
        seq: accepted.seq,
        pod_origin: "pod-a",
        published_at: accepted.published_at,
      });
      expect(frame.threat.type).toBe("cross-pod-test-threat");
    }
    const perClient = clients.map(
      (client, index) => client.receivedAt((frames[index] as ThreatFrame).seq) - startedAt,
    );
    console.log("✅ SUCCESS: All 3 WebSocket clients (on different pods) received the threat!");
    clients.forEach((client, index) => {
      console.log(`   - ${client.label}: ${frames[index]?.threat.type} (${ms(perClient[index] as number)})`);
    });
    console.log(`   Fan-out latency, trigger → last of 3 clients: ${ms(Math.max(...perClient))}`);
  });

  it("delivers 50 sequential triggers from rotating pods to all three clients, in seq order", async () => {
    const pods = cluster?.pods ?? [];
    const lastOfThree: number[] = [];
    for (let n = 0; n < 50; n++) {
      const origin = pods[n % pods.length];
      if (!origin) throw new Error("the cluster has no pods");
      const startedAt = epochNowMs();
      const accepted = await triggerThreat(origin.httpUrl, {
        type: "latency-probe",
        description: `probe ${n}`,
      });
      const frames = await Promise.all(
        clients.map((client) =>
          client.waitFor(frameWithId(client, accepted.id), `threat ${accepted.id}`, 5000),
        ),
      );
      lastOfThree.push(
        Math.max(...clients.map((client, index) => client.receivedAt((frames[index] as ThreatFrame).seq))) -
          startedAt,
      );
    }
    for (const client of clients) {
      const seqs = client.threats().map((frame) => frame.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toHaveLength(51);
    }
    const sorted = [...lastOfThree].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    console.log(
      `Fan-out latency, trigger → last of 3 clients, 50 triggers: p50 ${ms(at(0.5))}, p90 ${ms(at(0.9))}, max ${ms(at(1))}`,
    );
  });
});
