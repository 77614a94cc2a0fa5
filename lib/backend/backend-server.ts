// One pod: wires config, Redis bus, fan-out hub, HTTP routes and the WebSocket endpoint into a server,
// and owns its lifecycle, including the bounded graceful shutdown.
import { createServer, maxHeaderSize, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { CrosspodError } from "../core/crosspod-error.js";
import { closeCodes } from "../core/threat-protocol.js";
import { loadSpanTracer } from "../tracing/load-span-tracer.js";
import { createBackendMetrics } from "./backend-metrics.js";
import { backendTracing, backendTracingOff } from "./backend-tracing.js";
import { answerClientError } from "./client-error-response.js";
import type { BackendConfig } from "./config.js";
import { consoleRoutes } from "./console-assets.js";
import { FanoutHub } from "./fanout-hub.js";
import { healthRoutes } from "./health-routes.js";
import { createRequestHandler } from "./http-router.js";
import { createLogger } from "./logger.js";
import { RedisThreatBus } from "./redis-threat-bus.js";
import { createTestOnlyLeak } from "./test-only-leak.js";
import { threatRoutes } from "./threat-routes.js";
import { createTriggerRateLimit } from "./trigger-rate-limit.js";
import { createWsEndpoint } from "./ws-endpoint.js";

export interface RunningBackend {
  /** The port actually bound (the kernel's pick when config.port is 0). */
  port: number;
  /**
   * Graceful shutdown, bounded by config.shutdownTimeoutMs: /readyz turns 503, no new connections,
   * clients closed with 1001, in-flight triggers answered, Redis quit. Idempotent.
   */
  close(): Promise<void>;
}

export class BackendStartError extends CrosspodError {
  override readonly code = "CROSSPOD_BACKEND_START";
  override readonly kind = "environment";
}

export async function startBackend(
  config: BackendConfig,
  logger: Logger = createLogger(config),
): Promise<RunningBackend> {
  const metrics = createBackendMetrics(config.podName);
  const tracer = await loadSpanTracer(config.tracing, {
    serviceName: "crosspod-backend",
    instanceId: config.podName,
  });
  const tracing = tracer ? backendTracing(tracer, config.podName) : backendTracingOff;
  const bus = new RedisThreatBus({
    redis: config.redisSentinels
      ? { sentinels: config.redisSentinels, masterName: config.redisSentinelMaster }
      : { url: config.redisUrl },
    durability: config.durability,
    durabilityTimeoutMs: config.durabilityTimeoutMs,
    keyPrefix: config.keyPrefix,
    podName: config.podName,
    streamMaxLen: config.streamMaxLen,
    threatTtlSeconds: config.threatTtlSeconds,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    logger,
  });
  const hub = new FanoutHub({
    podName: config.podName,
    delivery: config.delivery,
    slowConsumerBytes: config.slowConsumerBytes,
    bus,
    metrics,
    tracing,
    logger,
  });
  let draining = false;
  const isDraining = () => draining;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };

  const routes = [
    ...threatRoutes({
      podName: config.podName,
      authToken: config.authToken,
      maxBodyBytes: config.maxBodyBytes,
      bus,
      rateLimit: createTriggerRateLimit(config.triggerRateLimit),
      metrics,
      tracing,
      isDraining,
      track,
    }),
    ...healthRoutes({
      podName: config.podName,
      registry: metrics.registry,
      notReadyReason: () => {
        if (draining) return { code: "draining", message: "this pod is shutting down" };
        if (!bus.ready || !hub.accepting)
          return { code: "redis_unavailable", message: "not connected and subscribed to Redis" };
        return undefined;
      },
      redisPrimary: () => bus.primary,
    }),
    ...consoleRoutes(),
  ];
  // Timeouts are checked every second (node's default, 30 s, let a stalled body hold a socket ~55 s).
  const server = createServer({ connectionsCheckingInterval: 1000 }, createRequestHandler(routes, logger));
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(10_000, config.requestTimeoutMs);
  const endpoint = createWsEndpoint({
    hub,
    maxPayloadBytes: config.wsMaxPayloadBytes,
    heartbeatMs: config.heartbeatMs,
    isDraining,
    logger,
  });
  server.on("upgrade", endpoint.handleUpgrade);
  server.on("clientError", (error, socket) =>
    answerClientError(
      error,
      socket,
      { maxHeaderBytes: maxHeaderSize, requestTimeoutMs: config.requestTimeoutMs },
      logger,
    ),
  );

  const primary = primaryTracker(metrics, logger);
  const leak = createTestOnlyLeak(config.testOnlyLeakBytesPerThreat);
  if (leak) {
    logger.warn(
      { bytesPerThreat: config.testOnlyLeakBytesPerThreat },
      "TEST_ONLY_LEAK_BYTES_PER_THREAT is set: this pod leaks memory on purpose (crosspod's own soak tests only)",
    );
  }
  bus.start({
    onFrame: (frame) => {
      leak?.();
      hub.onFrame(frame);
    },
    onSubscribed: (position) => {
      metrics.redisUp.set(1);
      primary.follow(bus.primary);
      hub.onSubscribed(position);
    },
    onDown: () => {
      metrics.redisUp.set(0);
      primary.follow(undefined);
      hub.onDown();
    },
    onEpochChanged: (epoch) => hub.onEpochChanged(epoch),
  });

  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (error) {
    endpoint.close();
    await bus.close();
    await tracing.shutdown();
    throw new BackendStartError(
      `cannot listen on ${config.host}:${config.port} (PORT, HOST): ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const httpUrl = `http://${config.host}:${port}`;
  logger.info(
    { port, http: httpUrl, ws: `ws://${config.host}:${port}/ws`, delivery: config.delivery },
    "backend listening",
  );

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    draining = true;
    logger.info({ clients: hub.connectionCount, triggersInFlight: inFlight.size }, "draining");
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([
      hub.closeAll(closeCodes.goingAway, "going away", remaining()),
      withTimeout(Promise.allSettled([...inFlight]), remaining()),
    ]);
    endpoint.close();
    server.closeIdleConnections();
    if (!(await withTimeout(serverClosed, remaining()))) server.closeAllConnections();
    await bus.close();
    metrics.redisUp.set(0);
    // Last, so the spans of the final deliveries are exported too; an unreachable OTLP endpoint must not
    // hold the pod past its shutdown budget.
    await withTimeout(tracing.shutdown(), remaining());
    logger.info("backend stopped");
  }

  return {
    port,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/** Keeps the redis_primary gauge on the primary in use and counts moves to a different one. */
function primaryTracker(metrics: ReturnType<typeof createBackendMetrics>, logger: Logger) {
  let previous: string | undefined;
  return {
    follow(address: string | undefined): void {
      metrics.redisPrimary.reset();
      if (address === undefined) return;
      metrics.redisPrimary.set({ address }, 1);
      if (previous !== undefined && previous !== address) {
        metrics.redisPrimaryChanges.inc();
        logger.info({ previous, primary: address }, "following a new redis primary");
      }
      previous = address;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Resolves true when `work` settles within `ms`, false when the time ran out first. */
async function withTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
