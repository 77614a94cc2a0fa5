// The backend's configuration: one zod schema over the environment, parsed once at the edge.
// Keys are the environment variable names, so a parse error names exactly what to change.
import { hostname } from "node:os";
import { z } from "zod";
import { type TracingConfig, TracingConfigError, tracingConfigFromEnv } from "../tracing/tracing-config.js";
import { ConfigError } from "./config-error.js";

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const backendEnvSchema = z.object({
  /** 0 asks the kernel for a free port; the port actually bound is logged ("backend listening"). */
  PORT: integer(0, 65_535).default(8000),
  HOST: z.string().min(1).default("127.0.0.1"),
  POD_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "letters, digits, '.', '_' or '-', at most 63")
    .default(hostname().slice(0, 63)),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  /** Sentinels to ask for the primary, "host:port,host:port"; when set, REDIS_URL is not used. */
  REDIS_SENTINELS: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, "comma-separated host:port pairs")
    .refine(
      (text) =>
        text
          .split(",")
          .every((pair) => Number(pair.split(":")[1]) >= 1 && Number(pair.split(":")[1]) <= 65_535),
      "ports from 1 to 65535",
    )
    .optional(),
  /** The master name the Sentinels monitor (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_MASTER: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' or '-', at most 64")
    .default("crosspod"),
  /** replica: a trigger is answered 202 only once a replica has it (WAIT 1), else 503. */
  DURABILITY: z.enum(["none", "replica"]).default("none"),
  /** How long a publish waits for a replica under DURABILITY=replica before answering 503. */
  DURABILITY_TIMEOUT_MS: integer(1, 60_000).default(500),
  DELIVERY: z.enum(["recover", "pubsub"]).default("recover"),
  /** When set, writes (POST /api/threats/trigger) need `Authorization: Bearer <token>`. */
  AUTH_TOKEN: z.string().min(8).max(512).optional(),
  KEY_PREFIX: z.string().min(1).max(64).default("crosspod:"),
  THREAT_TTL_SECONDS: integer(1, 365 * 24 * 3600).default(86_400),
  /** Approximate cap of the history stream (XADD MAXLEN ~): how far back `since` and gap backfill reach. */
  STREAM_MAXLEN: integer(100, 100_000_000).default(100_000),
  MAX_BODY_BYTES: integer(256, 16 * 1024 * 1024).default(16 * 1024),
  WS_MAX_PAYLOAD_BYTES: integer(64, 1024 * 1024).default(4 * 1024),
  /** A client whose unsent backlog exceeds this is closed with 1013 rather than buffered without bound. */
  SLOW_CONSUMER_BYTES: integer(16 * 1024, 1024 * 1024 * 1024).default(4 * 1024 * 1024),
  HEARTBEAT_MS: integer(50, 3_600_000).default(30_000),
  /** Triggers per second per pod, with bursts of one second's worth; 0 turns the limit off. */
  TRIGGER_RATE_LIMIT: integer(0, 1_000_000).default(2000),
  REDIS_COMMAND_TIMEOUT_MS: integer(100, 600_000).default(5000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  /** A request (headers and body) not received within this is answered 408 and closed. */
  REQUEST_TIMEOUT_MS: integer(1000, 600_000).default(30_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** TEST ONLY: retain this many bytes per threat received, a deliberate leak for crosspod's soak tests. */
  TEST_ONLY_LEAK_BYTES_PER_THREAT: integer(0, 16 * 1024 * 1024).default(0),
});

export type BackendEnv = z.input<typeof backendEnvSchema>;

export interface BackendConfig {
  port: number;
  host: string;
  podName: string;
  redisUrl: string;
  /** Set: connect through these Sentinels to `redisSentinelMaster` instead of `redisUrl`. */
  redisSentinels: { host: string; port: number }[] | undefined;
  redisSentinelMaster: string;
  durability: "none" | "replica";
  durabilityTimeoutMs: number;
  delivery: "recover" | "pubsub";
  authToken: string | undefined;
  keyPrefix: string;
  threatTtlSeconds: number;
  streamMaxLen: number;
  maxBodyBytes: number;
  wsMaxPayloadBytes: number;
  slowConsumerBytes: number;
  heartbeatMs: number;
  /** 0 = unlimited. */
  triggerRateLimit: number;
  redisCommandTimeoutMs: number;
  shutdownTimeoutMs: number;
  requestTimeoutMs: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** From the standard OTEL_* variables; undefined = tracing off (the SDK is never loaded). */
  tracing: TracingConfig | undefined;
  /** TEST ONLY (TEST_ONLY_LEAK_BYTES_PER_THREAT): bytes leaked per threat received; 0 = off. */
  testOnlyLeakBytesPerThreat: number;
}

/** Variables whose values must never appear in an error message or a log line. */
const secretVariables = new Set(["AUTH_TOKEN", "REDIS_URL"]);

/**
 * Parses backend settings from an environment-shaped record (process.env or a literal in tests).
 * Unknown variables are ignored; empty strings count as unset, as compose files often pass them.
 */
export function parseBackendEnv(env: Record<string, string | undefined>): BackendConfig {
  const present: Record<string, string> = {};
  for (const key of Object.keys(backendEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") present[key] = value;
  }
  const parsed = backendEnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "environment");
    const shown = secretVariables.has(variable) ? "" : ` (got ${JSON.stringify(present[variable])})`;
    throw new ConfigError(`invalid backend config: ${variable}: ${issue?.message}${shown}`, variable);
  }
  const e = parsed.data;
  let tracing: TracingConfig | undefined;
  try {
    tracing = tracingConfigFromEnv(env);
  } catch (error) {
    if (error instanceof TracingConfigError) {
      throw new ConfigError(`invalid backend config: ${error.message}`, error.variable);
    }
    throw error;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    podName: e.POD_NAME,
    redisUrl: e.REDIS_URL,
    redisSentinels: e.REDIS_SENTINELS?.split(",").map((pair) => {
      const colon = pair.lastIndexOf(":");
      return { host: pair.slice(0, colon), port: Number(pair.slice(colon + 1)) };
    }),
    redisSentinelMaster: e.REDIS_SENTINEL_MASTER,
    durability: e.DURABILITY,
    durabilityTimeoutMs: e.DURABILITY_TIMEOUT_MS,
    delivery: e.DELIVERY,
    authToken: e.AUTH_TOKEN,
    keyPrefix: e.KEY_PREFIX,
    threatTtlSeconds: e.THREAT_TTL_SECONDS,
    streamMaxLen: e.STREAM_MAXLEN,
    maxBodyBytes: e.MAX_BODY_BYTES,
    wsMaxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
    slowConsumerBytes: e.SLOW_CONSUMER_BYTES,
    heartbeatMs: e.HEARTBEAT_MS,
    triggerRateLimit: e.TRIGGER_RATE_LIMIT,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    tracing,
    testOnlyLeakBytesPerThreat: e.TEST_ONLY_LEAK_BYTES_PER_THREAT,
  };
}
