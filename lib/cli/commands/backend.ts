// `crosspod backend`: runs one reference-backend pod from environment variables (for the local cluster,
// docker-compose and Kubernetes), until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
import { Command } from "commander";
import { startBackend } from "../../backend/backend-server.js";
import { parseBackendEnv } from "../../backend/config.js";
import { createLogger } from "../../backend/logger.js";
import { exitCodes } from "../cli-error.js";

/** After a clean shutdown the event loop should be empty; if something still holds it, do not hang. */
const exitGraceMs = 1000;

export function backendCommand(): Command {
  return new Command("backend")
    .description(
      "run one reference-backend pod; configured by env: PORT, HOST, POD_NAME, REDIS_URL, DELIVERY, AUTH_TOKEN, " +
        "KEY_PREFIX, THREAT_TTL_SECONDS, STREAM_MAXLEN, MAX_BODY_BYTES, WS_MAX_PAYLOAD_BYTES, SLOW_CONSUMER_BYTES, " +
        "HEARTBEAT_MS, TRIGGER_RATE_LIMIT, REDIS_COMMAND_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS, REQUEST_TIMEOUT_MS, LOG_LEVEL, and the standard OTEL_* variables for tracing (see README)",
    )
    .action(async () => {
      const config = parseBackendEnv(process.env);
      const logger = createLogger(config);
      const backend = await startBackend(config, logger);
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
