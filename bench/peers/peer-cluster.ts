// Three (or N) pods of a bench peer — the floor or the Socket.IO server — as child processes on one
// private redis-server, the same shape as the reference backend's local cluster.
import { RedisServer } from "../../lib/cluster/redis-server.js";
import { type PeerProcess, startPeerProcess } from "./peer-process.js";
import type { socketIoAdapters } from "./socketio-pod.js";

export type PeerKind = "floor" | "socketio";

export interface PeerClusterOptions {
  kind: PeerKind;
  pods: number;
  /** Socket.IO only. */
  adapter?: (typeof socketIoAdapters)[number];
  eventName?: string;
  /** Socket.IO only: connection state recovery. */
  recovery?: boolean;
}

export interface PeerCluster {
  readonly redis: RedisServer;
  readonly pods: readonly (PeerProcess & { url: string })[];
  close(): Promise<void>;
}

const entries: Record<PeerKind, string> = { floor: "floor-pod.ts", socketio: "socketio-pod.ts" };

export async function startPeerCluster(options: PeerClusterOptions): Promise<PeerCluster> {
  const redis = await RedisServer.launch();
  const started = await Promise.allSettled(
    Array.from({ length: options.pods }, (_, i) => {
      const name = `${options.kind}-${String.fromCharCode(97 + i)}`;
      return startPeerProcess(name, entries[options.kind], {
        REDIS_URL: redis.url,
        POD_NAME: name,
        ...(options.adapter ? { ADAPTER: options.adapter } : {}),
        ...(options.eventName ? { EVENT_NAME: options.eventName } : {}),
        ...(options.recovery ? { RECOVERY: "1" } : {}),
      });
    }),
  );
  const pods = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const close = async () => {
    await Promise.all(pods.map((pod) => pod.stop()));
    await redis.dispose();
  };
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  return {
    redis,
    pods: pods.map((pod) => Object.assign(pod, { url: `http://127.0.0.1:${pod.port}` })),
    close,
  };
}
