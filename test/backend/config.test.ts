// The backend's environment contract: defaults, parsing, and errors that name the variable to fix.
import { describe, expect, it } from "vitest";
import { parseBackendEnv } from "../../lib/backend/config.js";
import { ConfigError } from "../../lib/backend/config-error.js";

function errorFor(env: Record<string, string>): ConfigError {
  try {
    parseBackendEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe("backend config from the environment", () => {
  it("has defaults for everything, none of which throttles crosspod's own profiles", () => {
    const config = parseBackendEnv({ POD_NAME: "pod-a" });
    expect(config).toMatchObject({
      port: 8000,
      host: "127.0.0.1",
      podName: "pod-a",
      redisUrl: "redis://127.0.0.1:6379",
      delivery: "recover",
      authToken: undefined,
      keyPrefix: "crosspod:",
      streamMaxLen: 100_000,
      maxBodyBytes: 16 * 1024,
      slowConsumerBytes: 4 * 1024 * 1024,
      logLevel: "info",
    });
    expect(config.triggerRateLimit).toBeGreaterThanOrEqual(1000);
  });

  it("parses numbers and enums from strings, and treats empty strings as unset", () => {
    const config = parseBackendEnv({
      PORT: "0",
      DELIVERY: "pubsub",
      TRIGGER_RATE_LIMIT: "0",
      HEARTBEAT_MS: "250",
      AUTH_TOKEN: "",
      LOG_LEVEL: "silent",
    });
    expect(config).toMatchObject({
      port: 0,
      delivery: "pubsub",
      triggerRateLimit: 0,
      heartbeatMs: 250,
      authToken: undefined,
      logLevel: "silent",
    });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT", /eighty/],
    [{ PORT: "70000" }, "PORT", /70000/],
    [{ DELIVERY: "exactly-once" }, "DELIVERY", /exactly-once/],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL", /redis:\/\//],
    [{ POD_NAME: "pod a" }, "POD_NAME", /pod a/],
    [{ MAX_BODY_BYTES: "-1" }, "MAX_BODY_BYTES", /-1/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /loud/],
  ])("rejects %j naming %s", (env, variable, shown) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.code).toBe("CROSSPOD_BACKEND_CONFIG");
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(shown);
  });

  it("never echoes a rejected secret", () => {
    const error = errorFor({ AUTH_TOKEN: "short" });
    expect(error.variable).toBe("AUTH_TOKEN");
    expect(error.message).not.toContain("short");
  });

  it("reads Sentinels, the master name and the durability option, naming the variable when wrong", () => {
    const config = parseBackendEnv({
      REDIS_SENTINELS: "127.0.0.1:26379,sentinel-b:26380",
      REDIS_SENTINEL_MASTER: "threats",
      DURABILITY: "replica",
      DURABILITY_TIMEOUT_MS: "250",
    });
    expect(config).toMatchObject({
      redisSentinels: [
        { host: "127.0.0.1", port: 26379 },
        { host: "sentinel-b", port: 26380 },
      ],
      redisSentinelMaster: "threats",
      durability: "replica",
      durabilityTimeoutMs: 250,
    });
    expect(parseBackendEnv({})).toMatchObject({ redisSentinels: undefined, durability: "none" });
    expect(errorFor({ REDIS_SENTINELS: "127.0.0.1" }).message).toContain("REDIS_SENTINELS");
    expect(errorFor({ REDIS_SENTINELS: "127.0.0.1:70000" }).message).toMatch(
      /REDIS_SENTINELS: ports from 1 to 65535/,
    );
    expect(errorFor({ REDIS_SENTINEL_MASTER: "two words" }).message).toContain("REDIS_SENTINEL_MASTER");
    expect(errorFor({ DURABILITY: "quorum" }).message).toContain("DURABILITY");
  });
});
