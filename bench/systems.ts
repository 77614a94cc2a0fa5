// The three systems the fan-out bench drives with the same workload: the reference backend (3 pods of
// `crosspod backend`), the floor (ioredis subscriber → ws.send) and the Socket.IO peer, each on its own
// redis-server, with the pids whose CPU counts as the system's (pods and Redis), and how the engine's
// subscribers reach them (targets and protocol adapter).
import { pinProcess } from "../lib/cluster/cpu-pinning.js";
import { startLocalCluster } from "../lib/cluster/local-cluster.js";
import { socketIoWebSocketUrl } from "../lib/core/adapters/socketio-adapter.js";
import type { ConnectionTarget } from "../lib/engine/client-connection.js";
import type { WorkerAdapter } from "../lib/engine/engine-worker-protocol.js";
import { startPeerCluster } from "./peers/peer-cluster.js";

export type SystemName = "reference" | "floor" | "socketio";

export interface SystemUnderTest {
  name: SystemName;
  /** Pod base URLs, http://127.0.0.1:PORT. */
  urls: string[];
  /** Pods and Redis. */
  pids: number[];
  targets: ConnectionTarget[];
  adapter: WorkerAdapter;
  accounting: "seq" | "publisher";
  close(): Promise<void>;
}

export const systemLabels: Record<SystemName, string> = {
  reference: "reference backend",
  floor: "floor (ioredis → ws)",
  socketio: "Socket.IO + redis-adapter",
};

const pods = 3;
const eventName = "threat";

/** The Socket.IO peer's frames and trigger reply, for the engine's socketio adapter. */
const socketIoConfig = {
  event: eventName,
  namespace: "/",
  recovery: false,
  payload: {
    id: "id",
    probe: "threat.probe",
    publishedAt: { path: "published_at", unit: "ms" },
    origin: "pod_origin",
  },
  trigger: {
    method: "POST",
    path: "/api/threats/trigger",
    headers: { "content-type": "application/json" },
    body: { probe: "{{probe}}" },
    acceptedStatus: [202],
    response: { publishedAt: { path: "published_at", unit: "ms" }, pod: "pod" },
  },
};

function definedPids(pids: (number | undefined)[]): number[] {
  return pids.filter((pid): pid is number => pid !== undefined);
}

/**
 * `cliPath`: the build the reference pods run (default dist/cli.js), so two builds can be compared;
 * `cpus`: where the system's processes (pods and Redis) run, apart from the generator (taskset list).
 */
export async function startSystem(
  name: SystemName,
  cliPath?: string,
  cpus?: string,
): Promise<SystemUnderTest> {
  const system = await startUnpinned(name, cliPath);
  if (cpus !== undefined) for (const pid of system.pids) pinProcess(cpus, pid);
  return system;
}

async function startUnpinned(name: SystemName, cliPath?: string): Promise<SystemUnderTest> {
  if (name === "reference") {
    const cluster = await startLocalCluster({
      replicas: pods,
      ...(cliPath === undefined ? {} : { cliPath }),
      // The bench measures fan-out, not the trigger limiter; logs at warn keep pods from writing per request.
      env: { LOG_LEVEL: "warn", TRIGGER_RATE_LIMIT: "0" },
    });
    return {
      name,
      urls: cluster.pods.map((pod) => `http://127.0.0.1:${pod.port}`),
      pids: definedPids([...cluster.pods.map((pod) => pod.pid), cluster.redis?.pid]),
      targets: cluster.pods.map((pod) => ({ wsUrl: `ws://127.0.0.1:${pod.port}/ws`, pod: pod.name })),
      adapter: { kind: "crosspod" },
      accounting: "seq",
      close: () => cluster.close(),
    };
  }
  const cluster = await startPeerCluster({ kind: name, pods, adapter: "pubsub", eventName });
  const common = {
    name,
    urls: cluster.pods.map((pod) => pod.url),
    pids: definedPids([...cluster.pods.map((pod) => pod.pid), cluster.redis.pid]),
    close: () => cluster.close(),
  };
  if (name === "floor") {
    return {
      ...common,
      targets: cluster.pods.map((pod) => ({ wsUrl: `ws://127.0.0.1:${pod.port}/ws`, pod: pod.name })),
      adapter: { kind: "crosspod" },
      accounting: "seq",
    };
  }
  return {
    ...common,
    targets: cluster.pods.map((pod) => ({
      wsUrl: socketIoWebSocketUrl(pod.url, "/socket.io"),
      pod: pod.name,
    })),
    adapter: { kind: "socketio", config: socketIoConfig },
    accounting: "publisher",
  };
}
