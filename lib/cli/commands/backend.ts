// `crosspod backend`: runs one reference-backend pod from environment variables (for the local cluster,
// docker-compose and Kubernetes), until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
import { Command } from "commander";
import { BackendStartError, startBackend } from "../../backend/backend-server.js";
import { type BackendConfig, parseBackendEnv } from "../../backend/config.js";
import { ConfigError } from "../../backend/config-error.js";
import { createLogger } from "../../backend/logger.js";
import { CLIError, exitCodes } from "../cli-error.js";

/** After a clean shutdown the event loop should be empty; if something still holds it, do not hang. */
const exitGraceMs = 1000;

function configFromEnv(): BackendConfig {
  try {
    return parseBackendEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CLIError(error.message, error.code, exitCodes.usage);
    throw error;
  }
}

export function backendCommand(): Command {
  return new Command("backend")
    .description(
      "run one reference-backend pod; configured by env: PORT, HOST, POD_NAME, REDIS_URL, DELIVERY, AUTH_TOKEN, " +
        "KEY_PREFIX, THREAT_TTL_SECONDS, STREAM_MAXLEN, MAX_BODY_BYTES, WS_MAX_PAYLOAD_BYTES, SLOW_CONSUMER_BYTES, " +
        "HEARTBEAT_MS, TRIGGER_RATE_LIMIT, REDIS_COMMAND_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS, REQUEST_TIMEOUT_MS, LOG_LEVEL (see README)",
    )
    .action(async () => {
      const config = configFromEnv();
      const logger = createLogger(config);
      let backend: Awaited<ReturnType<typeof startBackend>>;
      try {
        backend = await startBackend(config, logger);
      } catch (error) {
        if (error instanceof BackendStartError)
          throw new CLIError(error.message, error.code, exitCodes.internal);
        throw error;
      }
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGTERM", resolve);
        process.once("SIGINT", resolve);
      });
      logger.info({ signal }, "shutting down");
      // A second signal while draining means "now".
      const force = () => process.exit(exitCodes.internal);
      process.once("SIGTERM", force);
      process.once("SIGINT", force);
      await backend.close();
      setTimeout(() => process.exit(process.exitCode ?? exitCodes.ok), exitGraceMs).unref();
    });
}
