// The seed's five Redis pub/sub integration tests, on real Redis, real pods (in-process) and real
// WebSocket clients. Three pods share one Redis, as three Kubernetes replicas would.
import { describe, expect, it } from "vitest";
import type { ThreatFrame } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { request, triggerAccepted } from "./support/backend-pods.js";
import { usePodsOnRedis } from "./support/pods-on-redis.js";

describe.skipIf(skipWithoutRedis)("seed integration tests (redis pub/sub cross-pod broadcasting)", () => {
  const { pod, pods, connect } = usePodsOnRedis(["pod-a", "pod-b", "pod-c"]);

  it("save and retrieve: GET /api/threats/:id returns the threat a trigger saved", async () => {
    const accepted = await triggerAccepted(pod(0), {
      type: "save-retrieve-test",
      severity: "high",
      source_ip: "203.0.113.7",
      description: "saved then read back",
    });
    const stored = await request<ThreatFrame>(`${pod(1).http}/api/threats/${accepted.id}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      type: "threat",
      seq: accepted.seq,
      id: accepted.id,
      pod_origin: "pod-a",
      published_at: accepted.published_at,
      threat: {
        id: accepted.id,
        type: "save-retrieve-test",
        severity: "high",
        source_ip: "203.0.113.7",
        description: "saved then read back",
      },
    });
    const missing = await request(`${pod(0).http}/api/threats/00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
  });

  it("single subscriber receives the triggered threat", async () => {
    const client = await connect(pod(0).ws);
    const accepted = await triggerAccepted(pod(0), { type: "single-subscriber-test" });
    const [frame] = await client.waitForThreats(1);
    expect(frame).toMatchObject({
      seq: accepted.seq,
      id: accepted.id,
      threat: { type: "single-subscriber-test" },
    });
  });

  it("three clients on the same pod all receive the threat", async () => {
    const samePod = await Promise.all([connect(pod(1).ws), connect(pod(1).ws), connect(pod(1).ws)]);
    const accepted = await triggerAccepted(pod(1), { type: "same-pod-test" });
    for (const client of samePod) {
      const [frame] = await client.waitForThreats(1);
      expect(frame?.id).toBe(accepted.id);
    }
  });

  it("cross-pod broadcasting: a threat triggered on pod A reaches clients on pods A, B and C", async () => {
    const perPod = await Promise.all([connect(pod(0).ws), connect(pod(1).ws), connect(pod(2).ws)]);
    console.log("🚨 Triggering threat on Pod A...");
    const sentAt = performance.timeOrigin + performance.now();
    const accepted = await triggerAccepted(pod(0), { type: "cross-pod-test-threat", severity: "critical" });
    console.log("⏳ Waiting for all WebSocket clients to receive the threat...");
    const frames = await Promise.all(perPod.map((client) => client.waitForThreats(1)));

    console.log("✅ Verifying cross-pod broadcasting...");
    const received = frames.map((list) => list[0]);
    for (const frame of received) {
      expect(frame).toEqual(received[0]);
      expect(frame).toMatchObject({ id: accepted.id, seq: accepted.seq, pod_origin: "pod-a" });
    }
    const lastArrival = Math.max(...perPod.map((client) => client.receivedAt(accepted.seq)));
    console.log("✅ SUCCESS: All 3 WebSocket clients (on different pods) received the threat!");
    perPod.forEach((client, index) => {
      const latency = (client.receivedAt(accepted.seq) - accepted.published_at).toFixed(2);
      console.log(
        `   - Client on ${pod(index).name}: ${received[index]?.threat.type} (fan-out ${latency} ms)`,
      );
    });
    console.log(
      `   trigger → last of 3 clients: ${(lastArrival - sentAt).toFixed(2)} ms; ` +
        `published_at → last client: ${(lastArrival - accepted.published_at).toFixed(2)} ms`,
    );
  });

  it("ordering: 100 concurrent triggers across 3 pods reach every client in one seq order, no gaps or duplicates", async () => {
    const watchers = await Promise.all(pods().map((p) => connect(p.ws)));
    const accepted = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        triggerAccepted(pod(n % 3), { type: "ordering-test", description: `#${n}` }),
      ),
    );
    const seqs = accepted.map((reply) => reply.seq).sort((a, b) => a - b);
    const first = seqs[0] ?? 0;
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => first + i));
    for (const client of watchers) {
      await client.waitFor(
        () => client.seqs().filter((seq) => seq >= first).length >= 100,
        "all 100 ordering threats on every client",
      );
      expect(client.seqs().filter((seq) => seq >= first)).toEqual(seqs);
    }
    const ids = watchers.map((client) =>
      client
        .threats()
        .filter((frame) => frame.seq >= first)
        .map((f) => f.id),
    );
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
  });
});
