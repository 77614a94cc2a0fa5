// A suite's shared setup: one real Redis and in-process pods on it, started before the suite's tests, with
// every client a test connects closed, and the pods and Redis stopped, after them.
import { afterAll, beforeAll } from "vitest";
import type { RedisServer } from "../../../lib/cluster/redis-server.js";
import { startRedis } from "../../fixtures/redis.js";
import { TestClient } from "../../fixtures/ws-client.js";
import { type Pod, startPods, stopPods } from "./backend-pods.js";

export interface PodsOnRedis {
  pod(index: number): Pod;
  pods(): Pod[];
  redisUrl(): string;
  /** Connects a client that the suite closes after its tests. */
  connect(url: string): Promise<TestClient>;
}

export function usePodsOnRedis(names: string[]): PodsOnRedis {
  let redis: RedisServer | undefined;
  let pods: Pod[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pods = await startPods(names, redis.url);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await stopPods(pods);
    await redis?.dispose();
  });

  return {
    pod(index) {
      const found = pods[index];
      if (!found) throw new Error(`pod ${index} was not started`);
      return found;
    },
    pods: () => pods,
    redisUrl() {
      if (!redis) throw new Error("redis was not started");
      return redis.url;
    },
    async connect(url) {
      const client = await TestClient.connect(url);
      clients.push(client);
      return client;
    },
  };
}
