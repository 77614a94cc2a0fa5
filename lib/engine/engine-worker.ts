// The body of one engine worker process (`crosspod engine-worker`, forked by engine-workers.ts with an
// IPC channel): holds its share of the connections in a ConnectionPool and answers the parent's
// requests one at a time. It exits when the parent says close or the channel goes away.

import { type SocketIoConfig, socketIoAdapter } from "../core/adapters/socketio-adapter.js";
import { CrosspodError } from "../core/crosspod-error.js";
import { LatencyHistogram } from "../core/latency-histogram.js";
import { ConnectionPool } from "./connection-pool.js";
import { type WorkerReply, type WorkerRequest, workerRequestSchema } from "./engine-worker-protocol.js";
import { GeneratorHealth, openFileLimit } from "./generator-health.js";
import { PublishedLog } from "./published-log.js";

export class EngineWorkerError extends CrosspodError {
  override readonly code = "CROSSPOD_ENGINE_WORKER";
  override readonly kind = "usage";
}

const closeRequest: WorkerRequest = { type: "close" };

type OpenRequest = Extract<WorkerRequest, { type: "open" }>;

/** Opens this worker's share of the connections and waits (bounded) until they are connected. */
async function openPool(request: OpenRequest): Promise<{ pool: ConnectionPool; reply: WorkerReply }> {
  const rssBeforeBytes = process.memoryUsage.rss();
  const pool = new ConnectionPool({
    runId: request.runId,
    published: new PublishedLog(),
    targets: request.targets,
    connections: request.connections,
    ...(request.adapter?.kind === "socketio"
      ? { adapter: socketIoAdapter(request.adapter.config as unknown as SocketIoConfig) }
      : {}),
    rampSeconds: request.rampSeconds,
    accounting: request.accounting,
    helloTimeoutMs: request.connectTimeoutMs,
  });
  const startedAt = performance.now();
  await pool.open();
  await pool.waitAllConnected(request.connectTimeoutMs);
  const reply: WorkerReply = {
    type: "opened",
    connected: pool.connected,
    connectErrors: Object.fromEntries(pool.connectErrors),
    openMs: performance.now() - startedAt,
    rssBeforeBytes,
    rssBytes: process.memoryUsage.rss(),
  };
  return { pool, reply };
}

/** Each pod's settled recorder, histograms encoded, for the parent to merge. */
function encodedPods(pool: ConnectionPool | undefined): Extract<WorkerReply, { type: "finished" }>["pods"] {
  return Object.fromEntries(
    [...(pool?.pods ?? [])].map(([name, pod]) => [
      name,
      {
        fanout: pod.recorder.fanout.encode(),
        e2e: pod.recorder.e2e.encode(),
        reconnectTime: pod.recorder.reconnectTime.encode(),
        connections: { ...pod.recorder.connections },
        delivery: pod.recorder.delivery,
      },
    ]),
  );
}

export function runEngineWorker(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new EngineWorkerError(
      "engine-worker needs an IPC channel: it is started by the engine, not by hand",
    );
  }
  // After a disconnect there is nobody to answer; the worker just closes its connections and ends.
  const reply = (message: WorkerReply) => {
    if (process.connected) send(message);
  };
  let pool: ConnectionPool | undefined;
  let health: GeneratorHealth | undefined;
  let framesAtWindowStart = 0;
  let queue = Promise.resolve();

  async function handle(request: WorkerRequest): Promise<boolean> {
    switch (request.type) {
      case "open": {
        const opened = await openPool(request);
        pool = opened.pool;
        reply(opened.reply);
        return true;
      }
      case "status":
        reply({ type: "status", frames: pool?.framesReceived ?? 0, connected: pool?.connected ?? 0 });
        return true;
      case "window-start":
        health?.stop();
        health = new GeneratorHealth();
        pool?.takeSecond();
        framesAtWindowStart = pool?.framesReceived ?? 0;
        reply({ type: "ok" });
        return true;
      case "window-end": {
        const figures = (health ?? new GeneratorHealth()).figures();
        reply({
          type: "window",
          frames: (pool?.framesReceived ?? 0) - framesAtWindowStart,
          connected: pool?.connected ?? 0,
          cpuFraction: figures.cpuFraction,
          eventLoopLagP99Ms: figures.eventLoopLagP99Ms,
          rssBytes: figures.rssBytes,
          fanout: (pool?.takeSecond() ?? new LatencyHistogram()).encode(),
        });
        return true;
      }
      case "finish":
        pool?.finish(request.published, request.headSeq);
        reply({ type: "finished", pods: encodedPods(pool) });
        return true;
      case "close":
        health?.stop();
        await pool?.close();
        reply({ type: "closed" });
        return false;
    }
  }

  return new Promise((resolve) => {
    const stop = () => {
      process.off("message", onMessage);
      process.off("disconnect", onDisconnect);
      resolve();
    };
    const run = (request: WorkerRequest) => {
      queue = queue.then(async () => {
        try {
          if (!(await handle(request))) stop();
        } catch (error) {
          reply({ type: "error", message: error instanceof Error ? error.message : String(error) });
        }
      });
    };
    const onMessage = (message: unknown) => {
      const parsed = workerRequestSchema.safeParse(message);
      if (!parsed.success) {
        reply({ type: "error", message: `bad request: ${parsed.error.issues[0]?.message ?? "invalid"}` });
        return;
      }
      run(parsed.data);
    };
    const onDisconnect = () => run(closeRequest);
    process.on("message", onMessage);
    process.on("disconnect", onDisconnect);
    const limit = openFileLimit();
    reply({ type: "ready", ...(limit === undefined ? {} : { openFileLimit: limit }) });
  });
}
