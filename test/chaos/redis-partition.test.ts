import { afterEach, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import type { ChaosEvent } from "../../lib/chaos/chaos-controller.js";
import { type ControlApi, startControlApi } from "../../lib/chaos/control-api.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerThreat } from "../fixtures/trigger.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";
import { group, nodeCommand } from "./support/redis-ha.js";

const token = "test-token-0123456789abcdef";

describe.skipIf(skipWithoutRedis)("partition-redis-primary through the control API", () => {
  let chaos: ChaosCluster | undefined;
  let api: ControlApi | undefined;
  let client: TestClient | undefined;

  afterEach(async () => {
    await client?.close();
    await api?.close();
    await chaos?.close();
    chaos = undefined;
    api = undefined;
    client = undefined;
  });

  async function post(body: unknown): Promise<ChaosEvent> {
    const response = await fetch(`${(api as ControlApi).url}/chaos`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return ((await response.json()) as { event: ChaosEvent }).event;
  }

  it("cuts the primary off, lets the Sentinels promote the replica, and pods follow; heal makes it a replica", async () => {
    chaos = await startChaosCluster({ replicas: 2, delivery: "recover", redisMode: "sentinel" });
    api = await startControlApi({ controller: chaos.controller, token });
    const [podA, podB] = chaos.cluster.pods.map((pod) => pod.httpUrl) as [string, string];
    client = await TestClient.connect(`${podB.replace("http", "ws")}/ws`);
    const redisHa = group(chaos);
    const old = await redisHa.primary();
    await triggerThreat(podA);

    const partition = await post({ action: "partition-redis-primary" });
    expect(partition.ok, partition.error).toBe(true);
    expect(partition.redis?.fromPrimary).toContain(old.name);
    expect(partition.redis?.toPrimary).not.toContain(old.name);
    expect(partition.redis?.resubscribeMs).toBeGreaterThanOrEqual(partition.redis?.noPrimaryMs ?? 0);
    // The cut-off primary still runs and still believes it is the primary: a real partition.
    expect(old.server.running).toBe(true);
    expect(String(await nodeCommand(old, "ROLE"))).toMatch(/^master/);

    // Both pods write to and read from the new primary; the client kept its socket and gets the threat.
    await triggerThreat(podA);
    await triggerThreat(podB);
    await client.waitForThreats(3, 10_000);

    const heal = await post({ action: "heal-redis" });
    expect(heal.ok, heal.error).toBe(true);
    await waitFor(
      async () => String(await nodeCommand(old, "ROLE")).startsWith("slave"),
      `${old.name} to be turned into a replica once it can be reached again`,
      20_000,
      200,
    );
  });

  it("restart-redis brings a killed primary back as a replica of the one the Sentinels promoted", async () => {
    chaos = await startChaosCluster({
      replicas: 1,
      delivery: "recover",
      redisMode: "sentinel",
      redisReplicas: 1,
    });
    const redisHa = group(chaos);
    const old = await redisHa.primary();
    const kill = await chaos.controller.apply({ action: "kill-redis-primary", target: "redis" });
    expect(kill.ok, kill.error).toBe(true);
    expect(old.server.running).toBe(false);
    const restart = await chaos.controller.apply({ action: "restart-redis", target: "redis" });
    expect(restart.detail).toContain(`${old.name} restarted as replicas`);
    const promoted = await redisHa.primary();
    expect(promoted).not.toBe(old);
    await waitFor(
      async () => String(await nodeCommand(old, "INFO", "replication")).includes("master_link_status:up"),
      `${old.name} to replicate from ${promoted.name}`,
      10_000,
      100,
    );
    expect(String(await nodeCommand(old, "INFO", "replication"))).toContain(
      `master_port:${promoted.address.port}`,
    );
  });
});
