import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { type ControlApi, startControlApi } from "../../lib/chaos/control-api.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const token = "test-token-0123456789abcdef";

describe.skipIf(skipWithoutRedis)("chaos control API", () => {
  let chaos: ChaosCluster;
  let api: ControlApi;

  beforeAll(async () => {
    chaos = await startChaosCluster({
      replicas: 2,
      redisLinks: ["pod-a"],
      clientLinks: true,
      redisPersistence: true,
    });
    api = await startControlApi({ controller: chaos.controller, token });
  });

  afterAll(async () => {
    await api?.close();
    await chaos?.close();
  });

  function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${api.url}/chaos`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  async function readyz(url: string): Promise<number> {
    const response = await fetch(`${url}/readyz`);
    await response.body?.cancel();
    return response.status;
  }

  it("refuses a request without the token, or with a wrong one, with 401", async () => {
    const missing = await fetch(`${api.url}/chaos/events`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await post(
      { action: "kill-pod", target: "pod-a" },
      { authorization: "Bearer not-the-token" },
    );
    expect(wrong.status).toBe(401);
    expect(chaos.cluster.pod("pod-a").running).toBe(true);
  });

  it("answers 400 naming the bad field, 404 for an unknown pod, 415 and 413 for bad bodies", async () => {
    const noTarget = await post({ action: "kill-pod" });
    expect(noTarget.status).toBe(400);
    expect(await noTarget.json()).toMatchObject({ error: "invalid_action", field: "target" });
    const badLatency = await post({ action: "latency", target: "redis@pod-a", latencyMs: -1 });
    expect(await badLatency.json()).toMatchObject({ field: "latencyMs" });
    // D10: a JSON null (or any non-object) body names the body, not the message text, as the field.
    for (const body of [null, 5, '"kill-pod"']) {
      const notObject = await post(body);
      expect(notObject.status).toBe(400);
      expect(await notObject.json()).toMatchObject({ error: "invalid_action", field: "body" });
    }
    const unknown = await post({ action: "kill-pod", target: "pod-q" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      'no pod "pod-q" in this cluster (pods: pod-a, pod-b)',
    );
    const noLink = await post({ action: "blackhole", target: "redis@pod-b" });
    expect(noLink.status).toBe(409);
    expect(((await noLink.json()) as { message: string }).message).toContain(
      'no fault proxy on the link "redis@pod-b"',
    );
    expect((await post("kill", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post({ action: "kill-pod", target: "x".repeat(20_000) })).status).toBe(413);
    expect((await post("{not json")).status).toBe(400);
  });

  it("kills a pod with SIGKILL and restarts it on the same port, recording both events", async () => {
    const pod = chaos.cluster.pod("pod-b");
    const port = pod.port;
    const killed = await post({ action: "kill-pod", target: "pod-b" });
    expect(killed.status).toBe(200);
    const { event } = (await killed.json()) as { event: { detail: string; ok: boolean; atMs: number } };
    expect(event).toMatchObject({ ok: true, detail: "SIGKILL; exited on SIGKILL" });
    expect(pod.running).toBe(false);
    const restarted = await post({ action: "restart-pod", target: "pod-b" });
    expect(restarted.status).toBe(200);
    expect(pod.running).toBe(true);
    expect(pod.port).toBe(port);
    expect(await readyz(pod.httpUrl)).toBe(200);

    const list = await fetch(`${api.url}/chaos/events`, { headers: { authorization: `Bearer ${token}` } });
    const { events, links } = (await list.json()) as {
      events: Array<{ action: string; atMs: number }>;
      links: string[];
    };
    expect(events.slice(-2).map((item) => item.action)).toEqual(["kill-pod", "restart-pod"]);
    expect(events.at(-1)?.atMs).toBeGreaterThanOrEqual(event.atMs);
    expect(links.sort()).toEqual(["pod-a@clients", "pod-b@clients", "redis@pod-a"]);
  });

  it("switches a fault on a pod's Redis link on and off", async () => {
    await post({ action: "latency", target: "redis@pod-a", latencyMs: 50, jitterMs: 5 });
    expect(chaos.links.get("redis@pod-a")?.faults).toEqual({ latency: { latencyMs: 50, jitterMs: 5 } });
    await post({ action: "heal", target: "redis@pod-a" });
    expect(chaos.links.get("redis@pod-a")?.faults).toEqual({});
  });

  it("kills Redis and restarts it, after which every pod is ready again", async () => {
    const killed = await post({ action: "kill-redis" });
    expect(((await killed.json()) as { event: { target: string } }).event.target).toBe("redis");
    expect(chaos.cluster.redis?.running).toBe(false);
    const restarted = await post({ action: "restart-redis", target: "redis" });
    expect(restarted.status).toBe(200);
    for (const pod of chaos.cluster.pods) await pod.waitReady(15_000);
    expect(await Promise.all(chaos.cluster.pods.map((pod) => readyz(pod.httpUrl)))).toEqual([200, 200]);
  });
});
