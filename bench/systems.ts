// The three systems the fan-out bench drives with the same workload: the reference backend (3 pods of
// `crosspod backend`), the floor (ioredis subscriber → ws.send) and the Socket.IO peer, each on its own
// redis-server, with the pids whose CPU counts as the system's (pods and Redis).
import { startLocalCluster } from "../lib/cluster/local-cluster.js";
import { EngineFleet } from "./engine-fleet.js";
import { startPeerCluster } from "./peers/peer-cluster.js";
import { SocketIoFleet } from "./socketio-fleet.js";
import type { SubscriberFleet } from "./subscriber-fleet.js";

export type SystemName = "reference" | "floor" | "socketio";

export interface SystemUnderTest {
  name: SystemName;
  /** Pod base URLs, http://127.0.0.1:PORT. */
  urls: string[];
  /** Pods and Redis. */
  pids: number[];
  fleet(runId: string, connections: number, rampSeconds: number): SubscriberFleet;
  close(): Promise<void>;
}

export const systemLabels: Record<SystemName, string> = {
  reference: "reference backend",
  floor: "floor (ioredis → ws)",
  socketio: "Socket.IO + redis-adapter",
};

const pods = 3;

/** `cliPath`: the build the reference pods run (default dist/cli.js), so two builds can be compared. */
export async function startSystem(name: SystemName, cliPath?: string): Promise<SystemUnderTest> {
  if (name === "reference") {
    const cluster = await startLocalCluster({
      replicas: pods,
      ...(cliPath === undefined ? {} : { cliPath }),
      // The bench measures fan-out, not the trigger limiter; logs at warn keep pods from writing per request.
      env: { LOG_LEVEL: "warn", TRIGGER_RATE_LIMIT: "0" },
    });
    const urls = cluster.pods.map((pod) => `http://127.0.0.1:${pod.port}`);
    const targets = cluster.pods.map((pod) => ({ wsUrl: `ws://127.0.0.1:${pod.port}/ws`, pod: pod.name }));
    return {
      name,
      urls,
      pids: [...cluster.pods.map((pod) => pod.pid), cluster.redis?.pid].filter(
        (pid): pid is number => pid !== undefined,
      ),
      fleet: (runId, connections, rampSeconds) => new EngineFleet(runId, targets, connections, rampSeconds),
      close: () => cluster.close(),
    };
  }
  const cluster = await startPeerCluster({ kind: name, pods, adapter: "pubsub", eventName: "threat" });
  const urls = cluster.pods.map((pod) => pod.url);
  const pids = [...cluster.pods.map((pod) => pod.pid), cluster.redis.pid].filter(
    (pid): pid is number => pid !== undefined,
  );
  if (name === "floor") {
    const targets = cluster.pods.map((pod) => ({ wsUrl: `ws://127.0.0.1:${pod.port}/ws`, pod: pod.name }));
    return {
      name,
      urls,
      pids,
      fleet: (runId, connections, rampSeconds) => new EngineFleet(runId, targets, connections, rampSeconds),
      close: () => cluster.close(),
    };
  }
  return {
    name,
    urls,
    pids,
    fleet: (runId, connections, rampSeconds) => new SocketIoFleet(runId, urls, connections, rampSeconds),
    close: () => cluster.close(),
  };
}
